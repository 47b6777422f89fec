//! A citizen's session as a whole: start-over (wiping everything), the idle warning and
//! wipe, the store that puts the record on disk, and the backend's verdict on it.

use super::*;
use crate::seam::BackendError;

impl Flow {
    /// Start over: wipe everything about this citizen, back to consent.
    pub(super) fn reset(&mut self, notice: Option<Notice>, out: &mut Vec<Effect>) {
        self.person = None;
        self.face = None;
        self.declared = Declared::default();
        self.pending = None;
        self.confirmed = false;
        self.recheck = false;
        self.representative_asked = false;
        self.review.clear();
        self.facts = None;
        self.email_skipped = false;
        self.challenge = false;
        if self.lang != self.cfg.lang {
            // The next citizen starts in the default language; the terms wrap anew.
            self.lang = self.cfg.lang;
            self.layout = (0, 0);
        }
        out.push(Effect::Wipe);
        out.push(Effect::ReleaseCard);
        let back_from_privacy = matches!(self.screen, Screen::Consent { doc: Doc::Privacy, .. });
        if back_from_privacy {
            // The terms' layout is not known yet: the runtime sends it.
            self.layout = (0, 0);
        }
        self.screen = Screen::Consent {
            doc: Doc::Terms,
            scroll: 0,
            reached_end: self.layout.0 <= self.layout.1 && self.layout.0 > 0,
            notice,
        };
    }

    /// The outbox answered: on disk, the citizen's data leaves the flow and the verdict is
    /// waited for; not stored, nothing was lost and nothing is complete.
    pub(super) fn stored(&mut self, result: Result<String, BackendError>, out: &mut Vec<Effect>) {
        match result {
            Ok(enrollment_id) => {
                self.person = None;
                self.recheck = false;
                self.declared = Declared::default();
                out.push(Effect::Wipe);
                out.push(Effect::ReleaseCard);
                self.screen = Screen::Sending {
                    enrollment_id,
                    since_ms: self.now_ms,
                };
            }
            Err(e) => self.screen = Screen::Stopped(Stop::StoreFailed(e)),
        }
    }

    pub(super) fn delivered(&mut self, enrollment_id: String, verdict: Verdict) {
        let level = self.level;
        let review = std::mem::take(&mut self.review);
        // A record whose certificate text differs was stored to be reviewed: the backend's
        // "data mismatch" is the expected answer, and 完了 says what happens next.
        let done = matches!(verdict, Verdict::Accepted | Verdict::Queued)
            || (verdict == Verdict::CardDataMismatch && !review.is_empty());
        self.screen = match verdict {
            verdict if done => Screen::Done {
                enrollment_id,
                verdict,
                level,
                review,
            },
            v => Screen::Stopped(Stop::Verdict(v)),
        };
    }

    pub(super) fn tick(&mut self, now: u64, out: &mut Vec<Effect>) {
        if let Screen::Sending {
            enrollment_id,
            since_ms,
        } = &self.screen
        {
            if now >= since_ms + self.cfg.send_wait_ms {
                let id = enrollment_id.clone();
                self.delivered(id, Verdict::Queued);
                return;
            }
        }
        let in_progress = !matches!(self.screen, Screen::Consent { .. });
        let wipe_at = self.last_activity_ms + self.cfg.idle_timeout_ms;
        if in_progress && now >= wipe_at && self.pending.is_none() {
            self.idle_warning = None;
            self.reset(Some(Notice::TimedOut), out);
        } else if in_progress && self.pending.is_none() && now + IDLE_WARNING_MS >= wipe_at {
            self.idle_warning = Some((wipe_at - now).div_ceil(1000));
        } else {
            self.idle_warning = None;
        }
    }

    /// When the flow wants to be woken: the idle timeout while a citizen is in progress, and
    /// the send wait.
    pub(super) fn deadline(&self) -> Option<u64> {
        let idle = match &self.screen {
            Screen::Consent { .. } => None,
            _ => {
                let wipe = self.last_activity_ms + self.cfg.idle_timeout_ms;
                let warn = wipe.saturating_sub(IDLE_WARNING_MS);
                // Before the warning: wake when it starts; during it: every second.
                Some(if self.now_ms < warn {
                    warn
                } else if self.now_ms < wipe {
                    (self.now_ms + 1000 - (wipe - self.now_ms) % 1000).min(wipe)
                } else {
                    // Past the wipe with a request in flight: look again in a second.
                    self.now_ms + 1000
                })
            }
        };
        let send = match &self.screen {
            Screen::Sending { since_ms, .. } => Some(since_ms + self.cfg.send_wait_ms),
            _ => None,
        };
        match (idle, send) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }
}
