//! Built-in ActorScope collectors: process, memory, allocator, runtime and pool capacity.
//!
//! This crate is a placeholder in the workspace layout: it holds no collectors yet. The
//! collectors issue adds them, each in its own file, with a table here of every family
//! it exports (name, type, unit, meaning).
