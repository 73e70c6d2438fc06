//! [`ProcessCollector`]: the process's CPU, memory, file descriptors, threads and page
//! faults under client_golang's standard names, plus the memory breakdown of
//! `/proc/self/smaps_rollup` on Linux.

#[cfg(target_os = "linux")]
mod linux;
#[cfg(not(target_os = "linux"))]
mod other;
#[cfg(test)]
mod tests;

use std::sync::Mutex;
use std::time::{Duration, Instant};

use actorscope::model::{ModelError, Unit};
use actorscope::registry::{CollectError, Collector, ScrapeContext};
use actorscope::stats::{Counter, Gauge};
use actorscope::write::{Info, Kind, Metric, Sample, Writer};

/// How often the smaps breakdown is read unless told otherwise: reading it costs about
/// 0.6 ms and grows with mapped memory, so it is not worth paying on every scrape.
pub const DEFAULT_SMAPS_INTERVAL: Duration = Duration::from_secs(10);

/// What one reading found; `None` where the platform could not tell (the family is then
/// absent, never zero).
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct ProcessReading {
    pub(crate) cpu_seconds: Option<f64>,
    pub(crate) resident_bytes: Option<u64>,
    pub(crate) virtual_bytes: Option<u64>,
    pub(crate) virtual_max_bytes: Option<f64>,
    pub(crate) open_fds: Option<u64>,
    pub(crate) max_fds: Option<f64>,
    pub(crate) start_time_seconds: Option<f64>,
    pub(crate) threads: Option<u64>,
    pub(crate) minor_faults: Option<u64>,
    pub(crate) major_faults: Option<u64>,
    pub(crate) smaps: Option<SmapsReading>,
}

impl ProcessReading {
    /// A reading where every field is known (zero): what the collector checks its
    /// families with when it is registered.
    fn complete() -> Self {
        Self {
            cpu_seconds: Some(0.0),
            resident_bytes: Some(0),
            virtual_bytes: Some(0),
            virtual_max_bytes: Some(0.0),
            open_fds: Some(0),
            max_fds: Some(0.0),
            start_time_seconds: Some(0.0),
            threads: Some(0),
            minor_faults: Some(0),
            major_faults: Some(0),
            smaps: Some(SmapsReading::default()),
        }
    }
}

/// The `smaps_rollup` breakdown, in bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct SmapsReading {
    pub(crate) proportional: u64,
    pub(crate) anonymous: u64,
    pub(crate) file_backed: u64,
    pub(crate) shared: u64,
    pub(crate) swap: u64,
}

/// Collects the process families; see the [crate docs](crate) for the list.
///
/// ```
/// use actorscope::registry::MetricsRegistry;
/// use actorscope_collectors::ProcessCollector;
///
/// # tokio::runtime::Builder::new_current_thread().enable_time().build().unwrap().block_on(async {
/// let registry = MetricsRegistry::new();
/// registry.register("process", ProcessCollector::new())?;
/// let snapshot = registry.scrape().await;
/// let platform = snapshot.get("actorscope_platform_info").expect("on every platform");
/// assert_eq!(platform.len(), 1);
/// # if cfg!(target_os = "linux") {
/// let rss = snapshot.get("process_resident_memory_bytes").and_then(|f| f.value(()));
/// assert!(rss.and_then(|v| v.as_f64()).is_some_and(|bytes| bytes > 0.0));
/// # }
/// # Ok::<(), actorscope::registry::RegisterError>(())
/// # }).unwrap();
/// ```
#[derive(Debug)]
pub struct ProcessCollector {
    smaps_interval: Option<Duration>,
    /// The last smaps breakdown and when it was read.
    smaps: Mutex<Option<(Instant, SmapsReading)>>,
}

impl ProcessCollector {
    /// Reads everything, the smaps breakdown at most every [`DEFAULT_SMAPS_INTERVAL`].
    #[must_use]
    pub fn new() -> Self {
        Self {
            smaps_interval: Some(DEFAULT_SMAPS_INTERVAL),
            smaps: Mutex::new(None),
        }
    }

    /// Reads the smaps breakdown at most every `interval` (zero: every scrape), or never
    /// with `None`; in between, scrapes repeat the last breakdown.
    #[must_use]
    pub fn with_smaps_interval(mut self, interval: Option<Duration>) -> Self {
        self.smaps_interval = interval;
        self
    }

    /// The cached breakdown if fresh enough, else a new one from `read`.
    fn smaps(&self, read: impl FnOnce() -> Option<SmapsReading>) -> Option<SmapsReading> {
        let interval = self.smaps_interval?;
        let mut cache = self
            .smaps
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some((at, reading)) = *cache {
            if at.elapsed() < interval {
                return Some(reading);
            }
        }
        let reading = read()?;
        *cache = Some((Instant::now(), reading));
        Some(reading)
    }

    #[cfg(target_os = "linux")]
    fn read(&self) -> ProcessReading {
        linux::read_live(|| self.smaps(linux::read_smaps_live))
    }

    #[cfg(not(target_os = "linux"))]
    fn read(&self) -> ProcessReading {
        let _ = self.smaps(|| None);
        other::read()
    }
}

impl Default for ProcessCollector {
    fn default() -> Self {
        Self::new()
    }
}

impl Collector for ProcessCollector {
    async fn collect(&self, _cx: &ScrapeContext, out: &mut Writer<'_>) -> Result<(), CollectError> {
        // A few small file reads: quicker than handing them to another thread.
        write(&self.read(), out)?;
        write_platform(out)?;
        Ok(())
    }

    fn check(&self) -> Result<(), ModelError> {
        let mut scratch = actorscope::MetricSnapshot::new();
        write(&ProcessReading::complete(), &mut Writer::new(&mut scratch))?;
        write_platform(&mut Writer::new(&mut scratch))
    }
}

const CPU: Metric<'static, Counter> = Metric::counter(
    "process_cpu_seconds_total",
    "Total user and system CPU time spent in seconds.",
)
.unit(Unit::Seconds);
const RESIDENT: Metric<'static, Gauge> = Metric::gauge(
    "process_resident_memory_bytes",
    "Resident memory size in bytes.",
)
.unit(Unit::Bytes);
const VIRTUAL: Metric<'static, Gauge> = Metric::gauge(
    "process_virtual_memory_bytes",
    "Virtual memory size in bytes.",
)
.unit(Unit::Bytes);
const VIRTUAL_MAX: Metric<'static, Gauge> = Metric::gauge(
    "process_virtual_memory_max_bytes",
    "Maximum amount of virtual memory available in bytes (1.8446744073709552e19 when unlimited).",
)
.unit(Unit::Bytes);
const OPEN_FDS: Metric<'static, Gauge> =
    Metric::gauge("process_open_fds", "Number of open file descriptors.");
const MAX_FDS: Metric<'static, Gauge> = Metric::gauge(
    "process_max_fds",
    "Maximum number of open file descriptors (1.8446744073709552e19 when unlimited).",
);
const START_TIME: Metric<'static, Gauge> = Metric::gauge(
    "process_start_time_seconds",
    "Start time of the process since unix epoch in seconds.",
)
.unit(Unit::Seconds);
const THREADS: Metric<'static, Gauge> =
    Metric::gauge("process_threads", "Number of OS threads in the process.");
const MINOR_FAULTS: Metric<'static, Counter> = Metric::counter(
    "process_minor_page_faults_total",
    "Page faults served without I/O.",
);
const MAJOR_FAULTS: Metric<'static, Counter> = Metric::counter(
    "process_major_page_faults_total",
    "Page faults that needed I/O.",
);
/// Which part of the smaps breakdown a family reports.
type SmapsPart = fn(&SmapsReading) -> u64;

const SMAPS: [(Metric<'static, Gauge>, SmapsPart); 5] = [
    (
        Metric::gauge("process_proportional_memory_bytes", "Proportional set size (Pss): resident memory, shared pages divided among their sharers. From /proc/self/smaps_rollup, read at most every few seconds.").unit(Unit::Bytes),
        |smaps| smaps.proportional,
    ),
    (
        Metric::gauge("process_anonymous_memory_bytes", "Resident anonymous memory (heap, stacks). From /proc/self/smaps_rollup, read at most every few seconds.").unit(Unit::Bytes),
        |smaps| smaps.anonymous,
    ),
    (
        Metric::gauge("process_file_backed_memory_bytes", "Resident memory backed by files (code, mapped files): Rss minus Anonymous. From /proc/self/smaps_rollup, read at most every few seconds.").unit(Unit::Bytes),
        |smaps| smaps.file_backed,
    ),
    (
        Metric::gauge("process_shared_memory_bytes", "Resident memory shared with other processes (Shared_Clean + Shared_Dirty). From /proc/self/smaps_rollup, read at most every few seconds.").unit(Unit::Bytes),
        |smaps| smaps.shared,
    ),
    (
        Metric::gauge("process_swap_bytes", "Memory swapped out. From /proc/self/smaps_rollup, read at most every few seconds.").unit(Unit::Bytes),
        |smaps| smaps.swap,
    ),
];
const PLATFORM: Metric<'static, Info> = Metric::info(
    "actorscope_platform_info",
    "The platform the process runs on.",
);

/// Adds one unlabelled sample when `value` is known (a family the platform cannot read
/// is absent, never zero).
fn put<K: Kind, V: Sample<K>>(
    out: &mut Writer<'_>,
    metric: Metric<'_, K>,
    value: Option<V>,
) -> Result<(), ModelError> {
    if let Some(value) = value {
        out.family(metric).add((), value)?;
    }
    Ok(())
}

#[allow(clippy::cast_precision_loss)] // byte and fault counts are exact below 2^53
fn write(reading: &ProcessReading, out: &mut Writer<'_>) -> Result<(), ModelError> {
    let number = |value: Option<u64>| value.map(|v| v as f64);
    put(out, CPU, reading.cpu_seconds)?;
    put(out, RESIDENT, number(reading.resident_bytes))?;
    put(out, VIRTUAL, number(reading.virtual_bytes))?;
    put(out, VIRTUAL_MAX, reading.virtual_max_bytes)?;
    put(out, OPEN_FDS, number(reading.open_fds))?;
    put(out, MAX_FDS, reading.max_fds)?;
    put(out, START_TIME, reading.start_time_seconds)?;
    put(out, THREADS, number(reading.threads))?;
    put(out, MINOR_FAULTS, reading.minor_faults)?;
    put(out, MAJOR_FAULTS, reading.major_faults)?;
    if let Some(smaps) = &reading.smaps {
        for (metric, value) in SMAPS {
            put(out, metric, Some(value(smaps) as f64))?;
        }
    }
    Ok(())
}

fn write_platform(out: &mut Writer<'_>) -> Result<(), ModelError> {
    #[cfg(target_os = "linux")]
    let kernel = linux::kernel_release();
    #[cfg(not(target_os = "linux"))]
    let kernel = String::from("unknown");
    out.family(PLATFORM).add(
        [
            ("os", std::env::consts::OS),
            ("arch", std::env::consts::ARCH),
            ("family", std::env::consts::FAMILY),
            ("kernel", kernel.as_str()),
        ],
        (),
    )?;
    Ok(())
}
