//! Card troubles close together: removals and transmit errors that cluster mean the card is
//! moving or badly placed, and the diagnostics say so. Spread out (every citizen lifts their
//! card at the end) they mean nothing, so only the latest few count, and only while recent.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

/// This many troubles …
pub const CLUSTER: usize = 3;
/// … within this long.
pub const WINDOW: Duration = Duration::from_secs(30);

#[derive(Default)]
pub struct Troubles {
    at: VecDeque<Instant>,
    /// The hint as last shown: `update` says when it must change on screen.
    hint: bool,
}

impl Troubles {
    /// A trouble at `now`; true when the hint changed.
    pub fn push(&mut self, now: Instant) -> bool {
        self.at.push_back(now);
        while self.at.len() > CLUSTER {
            self.at.pop_front();
        }
        self.update(now)
    }

    /// Takes the hint on or off as troubles cluster or calm down; true when it changed.
    pub fn update(&mut self, now: Instant) -> bool {
        let on = self.clustered(now);
        std::mem::replace(&mut self.hint, on) != on
    }

    /// The "card moved or badly placed?" hint is on.
    pub fn hint(&self) -> bool {
        self.hint
    }

    /// The last `CLUSTER` troubles all fall within the `WINDOW` before `now`.
    pub fn clustered(&self, now: Instant) -> bool {
        self.until(now).is_some()
    }

    /// While clustered: when it stops being so (the runtime wakes then to take the hint off).
    pub fn until(&self, now: Instant) -> Option<Instant> {
        let oldest = *self.at.front()?;
        let end = oldest + WINDOW;
        (self.at.len() >= CLUSTER && now < end).then_some(end)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn three_close_together_cluster_and_the_hint_ends_after_the_window() {
        let t0 = Instant::now();
        let mut t = Troubles::default();
        t.push(t0);
        t.push(t0 + Duration::from_secs(5));
        assert!(!t.clustered(t0 + Duration::from_secs(6)), "two are not a cluster");
        t.push(t0 + Duration::from_secs(10));
        assert!(t.clustered(t0 + Duration::from_secs(10)));
        assert_eq!(t.until(t0 + Duration::from_secs(10)), Some(t0 + WINDOW));
        assert!(!t.clustered(t0 + WINDOW), "calm for the window: off");
    }

    #[test]
    fn one_removal_per_citizen_never_clusters() {
        let t0 = Instant::now();
        let mut t = Troubles::default();
        for i in 0..50u64 {
            let now = t0 + Duration::from_secs(i * 90);
            t.push(now);
            assert!(!t.clustered(now), "citizen {i}");
        }
    }

    #[test]
    fn a_late_burst_clusters_even_after_a_long_calm() {
        let t0 = Instant::now();
        let mut t = Troubles::default();
        t.push(t0);
        t.push(t0 + Duration::from_secs(600));
        t.push(t0 + Duration::from_secs(601));
        assert!(!t.clustered(t0 + Duration::from_secs(601)));
        t.push(t0 + Duration::from_secs(602));
        assert!(t.clustered(t0 + Duration::from_secs(602)));
    }
}
