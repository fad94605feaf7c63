require("Storage").erase(".varimg");
require("Storage").erase(".bootrst");
load();
