//! 同意: the citizen picks their language, the terms scroll; agreeing is accepted only once
//! the text was read to the end; declining (the terms or the privacy notice) records nothing.

use super::*;

impl Flow {
    /// The consent text is `total` lines at the terminal's width, `visible` of them fit: the
    /// scroll stays within it, and a text that fits whole counts as read to its end.
    pub(super) fn consent_layout_is(&mut self, total: u16, visible: u16) {
        self.layout = (total, visible);
        if let Screen::Consent {
            scroll, reached_end, ..
        } = &mut self.screen
        {
            let max = total.saturating_sub(visible);
            *scroll = (*scroll).min(max);
            if *scroll >= max {
                *reached_end = true;
            }
        }
    }

    pub(super) fn consent_action(&mut self, a: Action, out: &mut Vec<Effect>) {
        if a == Action::Decline {
            self.reset(Some(Notice::Declined), out);
            return;
        }
        if let (Action::Previous | Action::Following, Screen::Consent { notice, .. }) = (a, &self.screen) {
            self.lang = if a == Action::Previous {
                self.lang.prev()
            } else {
                self.lang.next()
            };
            // Another text (or the Japanese one with a note): read from the top, and from the
            // terms even when the switch came on the privacy notice, so the terms signed are
            // the ones read. The runtime sends how it wraps.
            self.layout = (0, 0);
            self.screen = Screen::Consent {
                doc: Doc::Terms,
                scroll: 0,
                reached_end: false,
                notice: notice.clone(),
            };
            return;
        }
        let Screen::Consent {
            doc,
            scroll,
            reached_end,
            notice,
        } = &mut self.screen
        else {
            return;
        };
        let (total, visible) = self.layout;
        let max = total.saturating_sub(visible);
        let page = visible.saturating_sub(1).max(1);
        match a {
            Action::Scroll(Scroll::LineDown) => *scroll = (*scroll + 1).min(max),
            Action::Scroll(Scroll::LineUp) => *scroll = scroll.saturating_sub(1),
            Action::Scroll(Scroll::PageDown) => *scroll = (*scroll + page).min(max),
            Action::Scroll(Scroll::PageUp) => *scroll = scroll.saturating_sub(page),
            Action::Scroll(Scroll::Bottom) => *scroll = max,
            Action::Scroll(Scroll::Top) => *scroll = 0,
            Action::Submit if *reached_end || (total > 0 && total <= visible) => {
                if self.queue_full {
                    *notice = Some(Notice::QueueFull);
                    return;
                }
                if *doc == Doc::Terms && self.cfg.privacy {
                    // The privacy notice is its own text, read to its own end.
                    self.layout = (0, 0);
                    self.screen = Screen::Consent {
                        doc: Doc::Privacy,
                        scroll: 0,
                        reached_end: false,
                        notice: None,
                    };
                    return;
                }
                // Signed with the terms' hash: the language they were read in.
                self.declared.lang = Some(self.lang.code().to_string());
                if self.card_present {
                    self.enter_pin(PinKind::TextPin, out);
                } else {
                    self.screen = Screen::Card { notice: None };
                }
                return;
            }
            _ => {}
        }
        if total > 0 && *scroll >= max {
            *reached_end = true;
        }
    }
}
