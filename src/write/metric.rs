//! What a family is declared as: [`Metric`], and the [`Kind`]s it can have.

use std::fmt;
use std::marker::PhantomData;

use crate::model::{MetricKind, SlotStates, SummaryValue, Unit};
use crate::stats::{Counter, Gauge, Histogram};

/// A family's kind, named by the type that records it: the hot-path stats
/// [`Counter`], [`Gauge`] and [`Histogram`], and for values made on the cold path
/// [`SummaryValue`], [`Info`] and [`SlotStates`]. Sealed: these are all there are.
pub trait Kind: sealed::Sealed + 'static {
    /// The model's kind of a family declared with this type.
    const KIND: MetricKind;
}

mod sealed {
    pub trait Sealed {}
}

/// The kind of an info family: facts carried as labels, the value always 1.
///
/// ```
/// use actorscope::model::MetricSnapshot;
/// use actorscope::write::Writer;
///
/// let mut snapshot = MetricSnapshot::new();
/// Writer::new(&mut snapshot)
///     .info("app_build_info", "Build of the running binary.")
///     .add([("version", "1.2.0")], ())?;
/// # Ok::<(), actorscope::model::ModelError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Info;

macro_rules! kinds {
    ($($type:ty => $kind:ident),*) => {$(
        impl sealed::Sealed for $type {}
        impl Kind for $type {
            const KIND: MetricKind = MetricKind::$kind;
        }
    )*};
}
kinds!(
    Counter => Counter,
    Gauge => Gauge,
    Histogram => Histogram,
    SummaryValue => Summary,
    Info => Info,
    SlotStates => Slots
);

/// A family's declaration: name, help, kind (the type `K`) and unit. Made with `const`
/// functions, so a family can be declared once, as a constant, and written by name
/// nowhere else; checked when it is first written (for a worker's stats: when its
/// collector is registered).
///
/// ```
/// use actorscope::model::{MetricSnapshot, Unit};
/// use actorscope::stats::Histogram;
/// use actorscope::write::{Metric, Writer};
///
/// const WAIT: Metric<'static, Histogram> =
///     Metric::histogram("queue_wait_seconds", "Time jobs waited.").unit(Unit::Seconds);
///
/// let mut wait = Histogram::default();
/// wait.observe(0.2);
/// let mut snapshot = MetricSnapshot::new();
/// Writer::new(&mut snapshot).family(WAIT).add([("queue", "email")], &wait)?;
/// assert_eq!(snapshot.get("queue_wait_seconds").and_then(|f| f.unit()), Some(Unit::Seconds));
/// # Ok::<(), actorscope::model::ModelError>(())
/// ```
pub struct Metric<'n, K> {
    name: &'n str,
    help: &'n str,
    unit: Option<Unit>,
    kind: PhantomData<fn() -> K>,
}

impl<'n, K: Kind> Metric<'n, K> {
    /// A family of kind `K` named `name` (as Prometheus text shows it: counters end in
    /// `_total`, info families in `_info`), described by `help`.
    #[must_use]
    pub const fn new(name: &'n str, help: &'n str) -> Self {
        Self {
            name,
            help,
            unit: None,
            kind: PhantomData,
        }
    }

    /// With a unit, which the name must end with (before `_total`).
    #[must_use]
    pub const fn unit(mut self, unit: Unit) -> Self {
        self.unit = Some(unit);
        self
    }

    /// The name.
    #[must_use]
    pub const fn name(&self) -> &'n str {
        self.name
    }

    /// The help text.
    #[must_use]
    pub const fn help(&self) -> &'n str {
        self.help
    }

    /// The unit, if any.
    #[must_use]
    pub const fn unit_of(&self) -> Option<Unit> {
        self.unit
    }

    /// The kind.
    #[must_use]
    pub const fn kind(&self) -> MetricKind {
        K::KIND
    }
}

impl<'n> Metric<'n, Counter> {
    /// A counter family (its name ends in `_total`).
    #[must_use]
    pub const fn counter(name: &'n str, help: &'n str) -> Self {
        Self::new(name, help)
    }
}

impl<'n> Metric<'n, Gauge> {
    /// A gauge family.
    #[must_use]
    pub const fn gauge(name: &'n str, help: &'n str) -> Self {
        Self::new(name, help)
    }
}

impl<'n> Metric<'n, Histogram> {
    /// A histogram family.
    #[must_use]
    pub const fn histogram(name: &'n str, help: &'n str) -> Self {
        Self::new(name, help)
    }
}

impl<'n> Metric<'n, SummaryValue> {
    /// A summary family.
    #[must_use]
    pub const fn summary(name: &'n str, help: &'n str) -> Self {
        Self::new(name, help)
    }
}

impl<'n> Metric<'n, Info> {
    /// An info family (its name ends in `_info`).
    #[must_use]
    pub const fn info(name: &'n str, help: &'n str) -> Self {
        Self::new(name, help)
    }
}

impl<'n> Metric<'n, SlotStates> {
    /// A slot-map family (JSON only).
    #[must_use]
    pub const fn slots(name: &'n str, help: &'n str) -> Self {
        Self::new(name, help)
    }
}

impl<K> Clone for Metric<'_, K> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<K> Copy for Metric<'_, K> {}

impl<K: Kind> fmt::Debug for Metric<'_, K> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Metric")
            .field("name", &self.name)
            .field("kind", &K::KIND)
            .field("unit", &self.unit)
            .finish_non_exhaustive()
    }
}
