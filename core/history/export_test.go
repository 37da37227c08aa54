package history

import "database/sql"

type sqlTx = sql.Tx
