//! 同意: the citizen picks their language (Left / Right), the terms scroll; Enter is accepted
//! only once the text was read to the end.

use super::*;

impl Flow {
    pub(super) fn consent_key(&mut self, k: Key, out: &mut Vec<Effect>) {
        if let (Key::Left | Key::Right, Screen::Consent { notice, .. }) = (k, &self.screen) {
            self.lang = if k == Key::Left {
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
        match k {
            Key::Down | Key::Char('j') => *scroll = (*scroll + 1).min(max),
            Key::Up | Key::Char('k') => *scroll = scroll.saturating_sub(1),
            Key::PageDown | Key::Char(' ') => *scroll = (*scroll + page).min(max),
            Key::PageUp => *scroll = scroll.saturating_sub(page),
            Key::End => *scroll = max,
            Key::Home => *scroll = 0,
            Key::Enter if *reached_end || (total > 0 && total <= visible) => {
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
