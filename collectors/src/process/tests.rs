use actorscope::model::MetricSnapshot;

use super::*;

fn value(snapshot: &MetricSnapshot, name: &str) -> Option<f64> {
    snapshot.get(name)?.value(())?.as_f64()
}

#[cfg(target_os = "linux")]
mod fixture {
    use procfs::process::{Limits, SmapsRollup, Stat};
    use procfs::FromRead;

    use super::super::linux::{reading, smaps_reading, Sources};
    use super::*;

    const STAT: &str = include_str!("../../tests/fixtures/proc/stat");
    const LIMITS: &str = include_str!("../../tests/fixtures/proc/limits");
    const SMAPS: &str = include_str!("../../tests/fixtures/proc/smaps_rollup");

    fn fixture_reading() -> ProcessReading {
        let sources = Sources {
            stat: Stat::from_read(STAT.as_bytes()).expect("the captured stat parses"),
            limits: Some(Limits::from_read(LIMITS.as_bytes()).expect("the captured limits parse")),
            open_fds: None,
            ticks_per_second: 100,
            page_size: 4096,
            boot_time_seconds: Some(1_795_534_880),
        };
        let rollup = SmapsRollup::from_read(SMAPS.as_bytes()).expect("the captured rollup parses");
        reading(&sources, smaps_reading(&rollup))
    }

    #[test]
    fn captured_proc_files_give_the_values_worked_out_by_hand() {
        let unlimited = 18_446_744_073_709_551_615_f64;
        assert_eq!(
            fixture_reading(),
            ProcessReading {
                cpu_seconds: Some(18.0),          // (1234 + 566) ticks / 100
                resident_bytes: Some(486 * 4096), // 486 pages
                virtual_bytes: Some(4_861_952),
                virtual_max_bytes: Some(unlimited), // Max address space: unlimited
                open_fds: None,                     // not in the capture: absent
                max_fds: Some(20_000.0),
                start_time_seconds: Some(1_795_534_880.0 + 4155.47), // btime + 415547 / 100
                threads: Some(12),
                minor_faults: Some(103),
                major_faults: Some(7),
                smaps: Some(SmapsReading {
                    proportional: 637 * 1024,
                    anonymous: 736 * 1024,
                    file_backed: (2284 - 736) * 1024,
                    shared: (1548 + 604) * 1024,
                    swap: 128 * 1024,
                }),
            }
        );
    }

    #[test]
    fn unknown_readings_leave_their_families_out() {
        let mut snapshot = MetricSnapshot::new();
        write(&fixture_reading(), &mut Writer::new(&mut snapshot)).expect("valid families");
        assert_eq!(value(&snapshot, "process_cpu_seconds_total"), Some(18.0));
        assert_eq!(value(&snapshot, "process_swap_bytes"), Some(131_072.0));
        assert!(
            snapshot.get("process_open_fds").is_none(),
            "absent, not zero"
        );
        let mut empty = MetricSnapshot::new();
        write(&ProcessReading::default(), &mut Writer::new(&mut empty)).expect("valid");
        assert!(empty.is_empty());
    }
}

#[cfg(target_os = "linux")]
#[test]
fn live_reading_follows_the_process() {
    let collector = ProcessCollector::new().with_smaps_interval(Some(Duration::ZERO));
    let before = collector.read();
    let open: Vec<std::fs::File> = (0..5)
        .map(|_| std::fs::File::open("/proc/self/stat").expect("open"))
        .collect();
    let during = collector.read();
    drop(open);
    let fds = |r: &ProcessReading| r.open_fds.expect("open fds on Linux");
    // Other test threads may open files too, but never close ours.
    assert!(
        fds(&during) >= fds(&before) + 5,
        "{} then {}",
        fds(&before),
        fds(&during)
    );
    assert!(during.resident_bytes.is_some_and(|rss| rss > 1 << 20));
    assert!(during.threads.is_some_and(|threads| threads >= 1));
    let started = during.start_time_seconds.expect("start time");
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("after 1970")
        .as_secs_f64();
    assert!(
        started <= now + 1.0 && started > now - 3600.0,
        "started {started}, now {now}"
    );
    let smaps = during.smaps.expect("smaps_rollup on Linux 4.14+");
    assert!(smaps.anonymous > 0 && smaps.proportional > 0);
}

#[test]
fn smaps_breakdown_is_reused_within_its_interval() {
    let collector = ProcessCollector::new().with_smaps_interval(Some(Duration::from_secs(3600)));
    let first = SmapsReading {
        proportional: 1,
        anonymous: 2,
        file_backed: 3,
        shared: 4,
        swap: 5,
    };
    assert_eq!(collector.smaps(|| Some(first)), Some(first));
    assert_eq!(
        collector.smaps(|| panic!("read again within the interval")),
        Some(first)
    );
    let never = ProcessCollector::new().with_smaps_interval(None);
    assert_eq!(never.smaps(|| panic!("never read")), None);
}
