//! [`ProcessCollector`]: the process's CPU, memory, file descriptors, threads and page
//! faults under client_golang's standard names, plus the memory breakdown of
//! `/proc/self/smaps_rollup` on Linux.

#[cfg(target_os = "linux")]
mod linux;
#[cfg(test)]
mod tests;

use std::sync::Mutex;
use std::time::{Duration, Instant};

use actorscope::model::{MetricKind, MetricSnapshot, ModelError};
use actorscope::registry::{CollectError, Collector, ScrapeContext};
use futures::future::{self, BoxFuture, FutureExt};

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

/// The `smaps_rollup` breakdown, in bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
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
        ProcessReading::default()
    }
}

impl Default for ProcessCollector {
    fn default() -> Self {
        Self::new()
    }
}

impl Collector for ProcessCollector {
    fn collect<'a>(
        &'a self,
        _cx: &'a ScrapeContext,
        out: &'a mut MetricSnapshot,
    ) -> BoxFuture<'a, Result<(), CollectError>> {
        // A few small file reads: quicker than handing them to another thread.
        future::lazy(move |_| {
            write(&self.read(), out)?;
            write_platform(out)?;
            Ok(())
        })
        .boxed()
    }
}

/// Adds one unlabelled sample when `value` is known.
fn put(
    out: &mut MetricSnapshot,
    name: &str,
    help: &str,
    kind: MetricKind,
    unit: Option<&str>,
    value: Option<f64>,
) -> Result<(), ModelError> {
    let Some(value) = value else {
        return Ok(());
    };
    let family = match unit {
        Some(unit) => out.family_with_unit(name, help, kind, unit)?,
        None => out.family(name, help, kind)?,
    };
    family.add((), value)?;
    Ok(())
}

#[allow(clippy::cast_precision_loss)] // byte and fault counts are exact below 2^53
fn write(reading: &ProcessReading, out: &mut MetricSnapshot) -> Result<(), ModelError> {
    use MetricKind::{Counter, Gauge};
    let bytes = Some("bytes");
    let number = |value: Option<u64>| value.map(|v| v as f64);
    put(
        out,
        "process_cpu_seconds_total",
        "Total user and system CPU time spent in seconds.",
        Counter,
        Some("seconds"),
        reading.cpu_seconds,
    )?;
    put(
        out,
        "process_resident_memory_bytes",
        "Resident memory size in bytes.",
        Gauge,
        bytes,
        number(reading.resident_bytes),
    )?;
    put(
        out,
        "process_virtual_memory_bytes",
        "Virtual memory size in bytes.",
        Gauge,
        bytes,
        number(reading.virtual_bytes),
    )?;
    put(out, "process_virtual_memory_max_bytes", "Maximum amount of virtual memory available in bytes (1.8446744073709552e19 when unlimited).", Gauge, bytes, reading.virtual_max_bytes)?;
    put(
        out,
        "process_open_fds",
        "Number of open file descriptors.",
        Gauge,
        None,
        number(reading.open_fds),
    )?;
    put(
        out,
        "process_max_fds",
        "Maximum number of open file descriptors (1.8446744073709552e19 when unlimited).",
        Gauge,
        None,
        reading.max_fds,
    )?;
    put(
        out,
        "process_start_time_seconds",
        "Start time of the process since unix epoch in seconds.",
        Gauge,
        Some("seconds"),
        reading.start_time_seconds,
    )?;
    put(
        out,
        "process_threads",
        "Number of OS threads in the process.",
        Gauge,
        None,
        number(reading.threads),
    )?;
    put(
        out,
        "process_minor_page_faults_total",
        "Page faults served without I/O.",
        Counter,
        None,
        number(reading.minor_faults),
    )?;
    put(
        out,
        "process_major_page_faults_total",
        "Page faults that needed I/O.",
        Counter,
        None,
        number(reading.major_faults),
    )?;
    if let Some(smaps) = reading.smaps {
        let note = " From /proc/self/smaps_rollup, read at most every few seconds.";
        let rows = [
            ("process_proportional_memory_bytes", "Proportional set size (Pss): resident memory, shared pages divided among their sharers.", smaps.proportional),
            ("process_anonymous_memory_bytes", "Resident anonymous memory (heap, stacks).", smaps.anonymous),
            ("process_file_backed_memory_bytes", "Resident memory backed by files (code, mapped files): Rss minus Anonymous.", smaps.file_backed),
            ("process_shared_memory_bytes", "Resident memory shared with other processes (Shared_Clean + Shared_Dirty).", smaps.shared),
            ("process_swap_bytes", "Memory swapped out.", smaps.swap),
        ];
        for (name, help, value) in rows {
            put(
                out,
                name,
                &format!("{help}{note}"),
                Gauge,
                bytes,
                Some(value as f64),
            )?;
        }
    }
    Ok(())
}

fn write_platform(out: &mut MetricSnapshot) -> Result<(), ModelError> {
    #[cfg(target_os = "linux")]
    let kernel = linux::kernel_release();
    #[cfg(not(target_os = "linux"))]
    let kernel = String::from("unknown");
    out.family(
        "actorscope_platform_info",
        "The platform the process runs on.",
        MetricKind::Info,
    )?
    .add(
        [
            ("os", std::env::consts::OS),
            ("arch", std::env::consts::ARCH),
            ("family", std::env::consts::FAMILY),
            ("kernel", kernel.as_str()),
        ],
        1,
    )?;
    Ok(())
}
