//! The title line and the step progress bar, in the citizen's language.

use crate::flow::Step;
use crate::i18n::{msg, Msg};
use crate::lang::Lang;
use crate::ui::station::View;
use crate::ui::wrap::str_width;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

/// A step's name, as the progress bar and the step pane's title say it.
pub fn step_name(lang: Lang, s: Step) -> &'static str {
    msg(
        lang,
        match s {
            Step::Consent => Msg::StepConsent,
            Step::Card => Msg::StepCard,
            Step::Pin => Msg::StepPin,
            Step::Reading => Msg::StepReading,
            Step::Confirm => Msg::StepConfirm,
            Step::Contact => Msg::StepContact,
            Step::Sign => Msg::StepSign,
            Step::Prove => Msg::StepProve,
            Step::Send => Msg::StepSend,
            Step::Done => Msg::StepDone,
        },
    )
}

/// The station's title on the left, its id on the right.
pub fn draw_title(f: &mut Frame, v: &View, area: Rect) {
    let left = format!(" {} ", msg(v.flow.citizen_lang(), Msg::Title));
    let right = format!("{} ", v.station_id);
    let pad = (area.width as usize).saturating_sub(str_width(&left) + str_width(&right));
    let line = Line::from(vec![
        Span::styled(left, v.theme.accent()),
        Span::raw(" ".repeat(pad)),
        Span::styled(right, v.theme.muted()),
    ]);
    f.render_widget(Paragraph::new(line), area);
}

/// The steps of this station, the current one highlighted and the passed ones ticked.
pub fn draw(f: &mut Frame, v: &View, area: Rect) {
    let wide = spans(v, " > ");
    let fits = wide.iter().map(|s| str_width(&s.content)).sum::<usize>() <= area.width as usize;
    // With every step on (連絡先 and 署名), 80 columns need the tight separator.
    let spans = if fits { wide } else { spans(v, ">") };
    f.render_widget(Paragraph::new(Line::from(spans)), area);
}

fn spans(v: &View, sep: &'static str) -> Vec<Span<'static>> {
    let current = v.flow.step();
    let mut spans = vec![Span::raw(" ")];
    for (i, s) in v.flow.steps().into_iter().enumerate() {
        if i > 0 {
            spans.push(Span::styled(sep, v.theme.muted()));
        }
        let name = step_name(v.flow.citizen_lang(), s);
        if s == current {
            spans.push(Span::styled(format!("[{name}]"), v.theme.highlight()));
        } else if matches!(s, Step::Sign | Step::Prove) && v.flow.sign_skipped() {
            // Passed by without a proof of the card: not ticked as done.
            spans.push(Span::styled(format!("-{name}"), v.theme.muted()));
        } else if s < current {
            spans.push(Span::styled(format!("✓{name}"), v.theme.ok()));
        } else {
            spans.push(Span::styled(format!(" {name}"), v.theme.muted()));
        }
    }
    spans
}
