//! The reports of `hops check`, one writer per format. Each takes a row, its result and its
//! chain as they arrive and writes at once, keeping only bounded state across rows.
