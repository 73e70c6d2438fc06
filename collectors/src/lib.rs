//! Built-in ActorScope collectors: process, allocator, runtime and pool capacity.
//!
//! This package also holds the ActorScope demo (`src/bin/demo`), which uses them: it is
//! what `cargo run --release` starts at the workspace root.
//!
//! Register the ones you want at startup, like any [`Collector`]:
//!
//! ```
//! use actorscope::registry::MetricsRegistry;
//! use actorscope_collectors::ProcessCollector;
//!
//! let registry = MetricsRegistry::new();
//! registry.register("process", ProcessCollector::new())?;
//! # Ok::<(), actorscope::registry::RegisterError>(())
//! ```
//!
//! # Families
//!
//! [`ProcessCollector`] uses client_golang's names, so existing Grafana dashboards work.
//! A family the platform cannot read is absent, never zero. On Linux they are read from
//! `/proc` (procfs); on macOS, Windows, FreeBSD and OpenBSD through the kept
//! `metrics-process` crate's `collector::collect()`: CPU, resident and virtual memory,
//! file descriptors, start time and threads (page faults and the smaps breakdown stay
//! Linux-only). CI compiles that path for Windows but runs none of it, so it relies on
//! `metrics-process`'s own tests there; on macOS it needs Xcode's command-line tools
//! (`libproc` generates its bindings from the SDK).
//!
//! | family | type | unit | meaning |
//! | --- | --- | --- | --- |
//! | `process_cpu_seconds_total` | counter | seconds | user + system CPU time |
//! | `process_resident_memory_bytes` | gauge | bytes | resident set size |
//! | `process_virtual_memory_bytes` | gauge | bytes | virtual memory size |
//! | `process_virtual_memory_max_bytes` | gauge | bytes | address-space limit (1.8446744073709552e19 when unlimited, as current Go procfs) |
//! | `process_open_fds` | gauge | | open file descriptors (the count includes the one it reads `/proc/self/fd` with) |
//! | `process_max_fds` | gauge | | descriptor limit (1.8446744073709552e19 when unlimited) |
//! | `process_start_time_seconds` | gauge | seconds | start time, seconds since the Unix epoch |
//! | `process_threads` | gauge | | OS threads |
//! | `process_minor_page_faults_total` | counter | | faults served without I/O |
//! | `process_major_page_faults_total` | counter | | faults that needed I/O |
//! | `process_proportional_memory_bytes` | gauge | bytes | Pss (Linux smaps_rollup) |
//! | `process_anonymous_memory_bytes` | gauge | bytes | anonymous resident memory (smaps_rollup) |
//! | `process_file_backed_memory_bytes` | gauge | bytes | file-backed resident memory: Rss − Anonymous (smaps_rollup) |
//! | `process_shared_memory_bytes` | gauge | bytes | Shared_Clean + Shared_Dirty (smaps_rollup) |
//! | `process_swap_bytes` | gauge | bytes | swapped out (smaps_rollup) |
//! | `actorscope_platform_info{os,arch,family,kernel}` | info | | the platform (every OS) |
//!
//! The smaps_rollup families are read at most every 10 s
//! ([`ProcessCollector::with_smaps_interval`]); reading them costs about 0.6 ms.
//!
//! [`AllocatorCollector`] reports the [`CountingAllocator`] (install it as the binary's
//! `#[global_allocator]`; without it these families are absent):
//!
//! | family | type | unit | meaning |
//! | --- | --- | --- | --- |
//! | `actorscope_allocator_allocations_total` | counter | | successful `alloc`/`alloc_zeroed` calls |
//! | `actorscope_allocator_deallocations_total` | counter | | `dealloc` calls |
//! | `actorscope_allocator_reallocations_total` | counter | | successful `realloc` calls |
//! | `actorscope_allocator_allocated_bytes_total` | counter | bytes | bytes allocated (reallocations add their growth) |
//! | `actorscope_allocator_freed_bytes_total` | counter | bytes | bytes freed (reallocations add their shrinkage) |
//! | `actorscope_allocator_live_bytes` | gauge | bytes | allocated − freed |
//! | `actorscope_allocator_peak_live_bytes` | gauge | bytes | high-water mark of live bytes since start or [`reset_peak`], within 64 KiB per allocating thread |
//!
//! [`HeapCollector`] reads what the C allocator itself holds (glibc's `mallinfo2`, Linux
//! with glibc only; elsewhere it writes nothing), at most every [`DEFAULT_HEAP_INTERVAL`]
//! (label `allocator`: `glibc`):
//!
//! | family | type | unit | meaning |
//! | --- | --- | --- | --- |
//! | `actorscope_heap_held_bytes{allocator}` | gauge | bytes | held from the OS: arenas and mapped blocks |
//! | `actorscope_heap_in_use_bytes{allocator}` | gauge | bytes | of those, handed out to the program |
//! | `actorscope_heap_free_bytes{allocator}` | gauge | bytes | of those, free but kept; over held, the heap's fragmentation |
//!
//! [`RuntimeCollector`] watches the tokio runtime of each actix arbiter you give it
//! (`runtime` label: the name you give):
//!
//! | family | type | unit | meaning |
//! | --- | --- | --- | --- |
//! | `actorscope_runtime_up{runtime}` | gauge | | 1 while the arbiter runs; 0 once when it stopped, then the runtime is forgotten |
//! | `actorscope_runtime_workers{runtime}` | gauge | | worker threads (1 for an arbiter) |
//! | `actorscope_runtime_global_queue_depth{runtime}` | gauge | | tasks waiting in the global (injection) queue |
//! | `actorscope_runtime_busy_seconds_total{runtime,worker}` | counter | seconds | time spent running tasks |
//! | `actorscope_runtime_parks_total{runtime,worker}` | counter | | times the worker went idle |
//!
//! Worker actors themselves are counted by the [`WorkerCollector`] that scrapes them
//! (`actorscope_worker_actors{collector}`, `actorscope_worker_up{collector,worker}`).
//!
//! [`PoolCollector`] reads pools shared outside actors; pools owned by an actor are a
//! [`Pool`] in its stats, written with [`Writer::pool`] (or a `#[metric(pool = ..)]`
//! field of `worker_stats!`). Both give, with labels `pool` and `owner` (and a worker's
//! labels):
//!
//! | family | type | meaning |
//! | --- | --- | --- |
//! | `actorscope_pool_capacity` | gauge | units the pool can hold |
//! | `actorscope_pool_in_use` | gauge | units in use now |
//! | `actorscope_pool_high_water` | gauge | most in use at once since start or the owner's reset |
//! | `actorscope_pool_acquisitions_total` | counter | successful acquisitions |
//! | `actorscope_pool_overflows_total` | counter | acquisitions refused because the pool was full |
//!
//! | `actorscope_pool_slots` | slots | each slot's state, one letter per slot (a pool made with [`Pool::with_slots`]; JSON only, for the dashboard's grid) |
//!
//! [`WorkerCollector`]: actorscope::actor::WorkerCollector
//! [`Pool`]: actorscope::stats::Pool
//! [`Pool::with_slots`]: actorscope::stats::Pool::with_slots
//! [`Writer::pool`]: actorscope::write::Writer::pool
//!
//! [`Collector`]: actorscope::registry::Collector

mod allocator;
mod heap;
mod pool;
mod process;
mod runtime;

pub use allocator::{reset_peak, AllocatorCollector, AllocatorCounts, CountingAllocator};
pub use heap::{HeapCollector, DEFAULT_HEAP_INTERVAL};
pub use pool::PoolCollector;
pub use process::{ProcessCollector, DEFAULT_SMAPS_INTERVAL};
pub use runtime::RuntimeCollector;
