; NSIS installer for Causerie on 64-bit Windows (make package-windows).
;
; Built by packaging/windows/package.sh with makensis (Debian's nsis):
;   makensis -DVERSION=0.1.0 -DBUILD=1 -DEXE=path\Causerie.exe
;            -DICON=path\causerie.ico -DOUTFILE=path\setup.exe causerie.nsi
;
; Installs for all users into Program Files\Causerie (asks for elevation):
; Causerie.exe, a Start menu shortcut, an uninstaller registered in "Apps &
; features", and the xmpp: URI scheme: a ProgID (Causerie.xmpp) declared in
; the app's Capabilities so that Windows' Default apps settings offer it, and
; the xmpp scheme itself only when no other program handles it yet.
; The uninstaller removes all of that, and the scheme only if it is ours; it
; leaves the user's accounts and history (%APPDATA%, %LOCALAPPDATA%) alone.

Unicode true
; A 64-bit installer, like the app: it runs where the app runs (and under
; wine64 alone, which make package-check-windows uses).
Target amd64-unicode
SetCompressor /SOLID lzma

!ifndef VERSION
  !error "define VERSION, e.g. -DVERSION=0.1.0"
!endif
!ifndef BUILD
  !define BUILD 1
!endif
!ifndef EXE
  !error "define EXE, the path of Causerie.exe"
!endif
!ifndef ICON
  !error "define ICON, the path of the .ico"
!endif
!ifndef LICENSE
  !error "define LICENSE, the path of the licence text (LICENSE)"
!endif
!ifndef OUTFILE
  !define OUTFILE "Causerie-${VERSION}-windows-amd64-setup.exe"
!endif

!define APPNAME "Causerie"
!define APPID "org.causerie.Causerie"
!define PUBLISHER "The Causerie developers"
!define PROGID "Causerie.xmpp"
!define UNINSTKEY "Software\Microsoft\Windows\CurrentVersion\Uninstall\${APPNAME}"
!define CAPSKEY "Software\${APPNAME}\Capabilities"

!include "MUI2.nsh"
!include "x64.nsh"
!include "LogicLib.nsh"
!include "FileFunc.nsh"

Name "${APPNAME}"
OutFile "${OUTFILE}"
InstallDir "$PROGRAMFILES64\${APPNAME}"
InstallDirRegKey HKLM "Software\${APPNAME}" "InstallDir"
RequestExecutionLevel admin
ManifestDPIAware true
BrandingText "${APPNAME} ${VERSION}"

VIProductVersion "${VERSION}.${BUILD}"
VIFileVersion "${VERSION}.${BUILD}"
VIAddVersionKey /LANG=1033 "ProductName" "${APPNAME}"
VIAddVersionKey /LANG=1033 "ProductVersion" "${VERSION}"
VIAddVersionKey /LANG=1033 "FileVersion" "${VERSION}.${BUILD}"
VIAddVersionKey /LANG=1033 "FileDescription" "${APPNAME} ${VERSION} installer"
VIAddVersionKey /LANG=1033 "CompanyName" "${PUBLISHER}"
VIAddVersionKey /LANG=1033 "LegalCopyright" "${PUBLISHER}"

!define MUI_ICON "${ICON}"
!define MUI_UNICON "${ICON}"
!define MUI_ABORTWARNING
!define MUI_FINISHPAGE_RUN "$INSTDIR\Causerie.exe"

!insertmacro MUI_PAGE_WELCOME
; GPL-3.0-or-later: shown for information (the GPL does not need to be
; accepted to use the program), so the button says Next, not I Agree.
!define MUI_LICENSEPAGE_BUTTON "$(^NextBtn)"
!define MUI_LICENSEPAGE_TEXT_BOTTOM "Causerie is free software under the GNU General Public License, version 3 or later. You do not need to accept it to use the program."
!insertmacro MUI_PAGE_LICENSE "${LICENSE}"
!insertmacro MUI_PAGE_DIRECTORY
!insertmacro MUI_PAGE_INSTFILES
!insertmacro MUI_PAGE_FINISH
!insertmacro MUI_UNPAGE_CONFIRM
!insertmacro MUI_UNPAGE_INSTFILES
!insertmacro MUI_LANGUAGE "English"
!insertmacro MUI_LANGUAGE "French"

Function .onInit
  ${IfNot} ${RunningX64}
    MessageBox MB_ICONSTOP "${APPNAME} needs 64-bit Windows."
    Abort
  ${EndIf}
  SetRegView 64
  SetShellVarContext all
FunctionEnd

Function un.onInit
  SetRegView 64
  SetShellVarContext all
FunctionEnd

Section "${APPNAME}" SecMain
  SectionIn RO
  SetOutPath "$INSTDIR"
  File "/oname=Causerie.exe" "${EXE}"
  File "/oname=LICENSE.txt" "${LICENSE}"
  WriteUninstaller "$INSTDIR\Uninstall.exe"

  CreateShortcut "$SMPROGRAMS\${APPNAME}.lnk" "$INSTDIR\Causerie.exe" "" "$INSTDIR\Causerie.exe" 0 \
    SW_SHOWNORMAL "" "Chat with your contacts over XMPP (Jabber)"

  WriteRegStr HKLM "Software\${APPNAME}" "InstallDir" "$INSTDIR"

  ; Apps & features
  WriteRegStr HKLM "${UNINSTKEY}" "DisplayName" "${APPNAME}"
  WriteRegStr HKLM "${UNINSTKEY}" "DisplayVersion" "${VERSION}"
  WriteRegStr HKLM "${UNINSTKEY}" "DisplayIcon" "$INSTDIR\Causerie.exe,0"
  WriteRegStr HKLM "${UNINSTKEY}" "Publisher" "${PUBLISHER}"
  WriteRegStr HKLM "${UNINSTKEY}" "InstallLocation" "$INSTDIR"
  WriteRegStr HKLM "${UNINSTKEY}" "UninstallString" '"$INSTDIR\Uninstall.exe"'
  WriteRegStr HKLM "${UNINSTKEY}" "QuietUninstallString" '"$INSTDIR\Uninstall.exe" /S'
  WriteRegDWORD HKLM "${UNINSTKEY}" "NoModify" 1
  WriteRegDWORD HKLM "${UNINSTKEY}" "NoRepair" 1
  ${GetSize} "$INSTDIR" "/S=0K" $0 $1 $2
  IntFmt $0 "0x%08X" $0
  WriteRegDWORD HKLM "${UNINSTKEY}" "EstimatedSize" "$0"

  ; xmpp: links. The ProgID, and Capabilities so Default apps can pick it.
  WriteRegStr HKLM "Software\Classes\${PROGID}" "" "XMPP address"
  WriteRegStr HKLM "Software\Classes\${PROGID}" "URL Protocol" ""
  WriteRegStr HKLM "Software\Classes\${PROGID}\DefaultIcon" "" "$INSTDIR\Causerie.exe,0"
  WriteRegStr HKLM "Software\Classes\${PROGID}\shell\open\command" "" '"$INSTDIR\Causerie.exe" "%1"'
  WriteRegStr HKLM "${CAPSKEY}" "ApplicationName" "${APPNAME}"
  WriteRegStr HKLM "${CAPSKEY}" "ApplicationDescription" "Chat with your contacts over XMPP (Jabber)"
  WriteRegStr HKLM "${CAPSKEY}\URLAssociations" "xmpp" "${PROGID}"
  WriteRegStr HKLM "Software\RegisteredApplications" "${APPNAME}" "${CAPSKEY}"

  ; The scheme itself, unless another program already handles it.
  ReadRegStr $0 HKLM "Software\Classes\xmpp\shell\open\command" ""
  ${If} $0 == ""
    WriteRegStr HKLM "Software\Classes\xmpp" "" "URL:XMPP Protocol"
    WriteRegStr HKLM "Software\Classes\xmpp" "URL Protocol" ""
    WriteRegStr HKLM "Software\Classes\xmpp\DefaultIcon" "" "$INSTDIR\Causerie.exe,0"
    WriteRegStr HKLM "Software\Classes\xmpp\shell\open\command" "" '"$INSTDIR\Causerie.exe" "%1"'
  ${EndIf}
SectionEnd

Section "Uninstall"
  Delete "$INSTDIR\Causerie.exe"
  Delete "$INSTDIR\LICENSE.txt"
  Delete "$INSTDIR\Uninstall.exe"
  RMDir "$INSTDIR"
  Delete "$SMPROGRAMS\${APPNAME}.lnk"

  ReadRegStr $0 HKLM "Software\Classes\xmpp\shell\open\command" ""
  ${If} $0 == '"$INSTDIR\Causerie.exe" "%1"'
    DeleteRegKey HKLM "Software\Classes\xmpp"
  ${EndIf}
  DeleteRegKey HKLM "Software\Classes\${PROGID}"
  DeleteRegValue HKLM "Software\RegisteredApplications" "${APPNAME}"
  DeleteRegKey HKLM "Software\${APPNAME}"
  DeleteRegKey HKLM "${UNINSTKEY}"
SectionEnd
