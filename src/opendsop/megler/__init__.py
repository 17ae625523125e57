# SPDX-License-Identifier: Apache-2.0
"""An estate agent's (eiendomsmegler or oppgjørsforetak) DSVE system: sales, the message sequence, e-tinglysing."""
