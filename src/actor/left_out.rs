//! Logs the workers a scrape left out, once per change: a worker that stays out logs one
//! WARN line, not one per scrape, and one INFO line when it answers again.

use std::collections::BTreeMap;

use crate::model::FailureKind;

/// The workers left out of the previous scrape, by `worker` label.
#[derive(Debug, Default)]
pub(crate) struct LeftOut {
    workers: BTreeMap<String, FailureKind>,
}

impl LeftOut {
    /// Records one scrape of `collector` (which workers answered, which did not and
    /// why) and returns the lines to log for what changed since the previous scrape.
    pub(crate) fn update<'a>(
        &mut self,
        collector: &str,
        answered: impl IntoIterator<Item = &'a str>,
        missing: &[(String, FailureKind)],
    ) -> Vec<(log::Level, String)> {
        let mut lines = Vec::new();
        for worker in answered {
            if self.workers.remove(worker).is_some() {
                lines.push((
                    log::Level::Info,
                    format!(
                        "actorscope: worker {worker:?} of collector {collector:?} answers again"
                    ),
                ));
            }
        }
        for (worker, kind) in missing {
            if self.workers.insert(worker.clone(), *kind) != Some(*kind) {
                lines.push((
                    log::Level::Warn,
                    format!(
                        "actorscope: worker {worker:?} of collector {collector:?} left out of the scrape ({kind})"
                    ),
                ));
            }
        }
        lines
    }
}

/// Logs what [`LeftOut::update`] returned.
pub(crate) fn log_lines(lines: Vec<(log::Level, String)>) {
    for (level, line) in lines {
        log::log!(level, "{line}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn levels(lines: &[(log::Level, String)]) -> Vec<log::Level> {
        lines.iter().map(|(level, _)| *level).collect()
    }

    #[test]
    fn a_worker_that_stays_out_is_logged_once_and_again_when_it_answers() {
        let mut left_out = LeftOut::default();
        let out = [("1".to_owned(), FailureKind::TimedOut)];
        let first = left_out.update("kv", ["0"], &out);
        assert_eq!(levels(&first), [log::Level::Warn]);
        assert_eq!(
            first[0].1,
            r#"actorscope: worker "1" of collector "kv" left out of the scrape (timeout)"#
        );
        assert!(left_out.update("kv", ["0"], &out).is_empty(), "no change");
        let stopped = [("1".to_owned(), FailureKind::Stopped)];
        assert_eq!(
            levels(&left_out.update("kv", ["0"], &stopped)),
            [log::Level::Warn]
        );
        let back = left_out.update("kv", ["0", "1"], &[]);
        assert_eq!(levels(&back), [log::Level::Info]);
        assert!(back[0]
            .1
            .contains("\"1\" of collector \"kv\" answers again"));
        assert!(left_out.update("kv", ["0", "1"], &[]).is_empty());
    }
}
