//! Built-in ActorScope collectors: process, allocator, runtime and pool capacity.
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
//! A family the platform cannot read is absent, never zero.
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
//! [`Collector`]: actorscope::registry::Collector

mod allocator;
mod pool;
mod process;
mod runtime;

pub use allocator::{reset_peak, AllocatorCollector, AllocatorCounts, CountingAllocator};
pub use pool::PoolCollector;
pub use process::{ProcessCollector, DEFAULT_SMAPS_INTERVAL};
pub use runtime::RuntimeCollector;
