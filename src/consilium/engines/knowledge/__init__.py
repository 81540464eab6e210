"""Clinical knowledge the code reads: each a versioned data file citing its public source."""
