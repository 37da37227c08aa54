package upload

import "os"

// markDownloaded marks a downloaded file as from the internet (the
// Zone.Identifier stream Windows' browsers write), so that SmartScreen
// and Office's Protected View look at it before it is run or opened.
func markDownloaded(path, from string) {
	zone := "[ZoneTransfer]\r\nZoneId=3\r\nHostUrl=" + from + "\r\n"
	_ = os.WriteFile(path+":Zone.Identifier", []byte(zone), 0o644)
}
