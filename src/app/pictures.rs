//! The card face's pictures on the terminal (issue #24): drawn after the frame where the
//! confirm screen leaves their cells (`ui::station::pictures`), erased before the frame that
//! no longer has them. ratatui never writes those cells while a picture is shown (they are
//! `Skip` in its buffer) and writes them again in the first frame without it; kitty keeps an
//! image until it is deleted, so each is deleted by its id as well (docs/card.md, "The card
//! face").
//!
//! Nothing of a picture is kept here: the pixels are the flow's (dropped when the confirm
//! screen is left), the escape strings are made in zeroizing buffers and wiped once written,
//! and the terminal's output buffer is zeroed after each flush. Only where each picture went
//! is remembered, for erasing it.

use crate::flow::FacePictures;
use crate::picture::{self, Cells, Grey, Method, Placed};
use crate::ui::station::FacePicture;
use std::io::{self, Write};

/// Kitty image ids of the photo, the name image and the address image.
fn kitty_id(p: FacePicture) -> u32 {
    match p {
        FacePicture::Photo => 1,
        FacePicture::Name => 2,
        FacePicture::Address => 3,
    }
}

/// The pictures on the terminal now.
#[derive(Default)]
pub struct OnScreen {
    placed: Vec<(FacePicture, Placed)>,
    /// The terminal was cleared or resized under them: erase and draw again.
    stale: bool,
}

impl OnScreen {
    /// Something redrew the whole screen (a resize): what is placed may be gone or moved.
    pub fn stale(&mut self) {
        self.stale = !self.placed.is_empty();
    }

    /// Before a frame: erases what is on screen and not wanted where it is (kitty's images
    /// deleted with their data, blanks over the cells).
    pub fn before(&mut self, out: &mut dyn Write, wanted: &[(FacePicture, Cells)]) -> io::Result<()> {
        let stale = std::mem::take(&mut self.stale);
        let mut result = Ok(());
        self.placed.retain(|(which, placed)| {
            let keep = !stale && wanted.iter().any(|(w, at)| w == which && *at == placed.at);
            if !keep {
                if let Err(e) = picture::erase(out, placed) {
                    result = Err(e);
                }
            }
            keep
        });
        result
    }

    /// After a frame: draws what is wanted and not on screen yet, over blanked cells (the
    /// frame left them as they were).
    pub fn after(
        &mut self,
        out: &mut dyn Write,
        wanted: &[(FacePicture, Cells)],
        pictures: Option<&FacePictures>,
        method: Method,
    ) -> io::Result<()> {
        let Some(pictures) = pictures else {
            return Ok(());
        };
        for (which, at) in wanted {
            if self.placed.iter().any(|(w, _)| w == which) {
                continue;
            }
            let img: Option<&Grey> = match which {
                FacePicture::Photo => pictures.photo.as_ref(),
                FacePicture::Name => pictures.name.as_ref(),
                FacePicture::Address => pictures.address.as_ref(),
            };
            let Some(img) = img else { continue };
            let method = match method {
                Method::Kitty { .. } => Method::Kitty { id: kitty_id(*which) },
                m => m,
            };
            out.write_all(&picture::blank(*at))?;
            let placed = picture::draw(out, method, img, *at)?;
            self.placed.push((*which, placed));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use zeroize::Zeroizing;

    fn pictures() -> FacePictures {
        let grey = |w: u32, h: u32| Grey::new(w, h, Zeroizing::new(vec![128; (w * h) as usize]));
        FacePictures {
            photo: Some(grey(30, 40)),
            name: Some(grey(40, 8)),
            address: None,
        }
    }

    fn at(col: u16) -> Cells {
        Cells {
            col,
            row: 2,
            cols: 10,
            rows: 6,
        }
    }

    /// Drawn once, left alone while wanted where it is, erased (kitty: deleted by its id)
    /// when not wanted or moved, and drawn again at the new place.
    #[test]
    fn pictures_are_drawn_once_and_erased_when_not_wanted() {
        let p = pictures();
        let kitty = Method::Kitty { id: 9 };
        let mut s = OnScreen::default();
        let mut out = Vec::new();
        let wanted = [(FacePicture::Photo, at(40)), (FacePicture::Address, at(60))];
        s.before(&mut out, &wanted).unwrap();
        assert!(out.is_empty());
        s.after(&mut out, &wanted, Some(&p), kitty).unwrap();
        let text = String::from_utf8_lossy(&out).to_string();
        assert!(text.contains("a=T,f=100,q=2,C=1,i=1,"), "the photo under id 1");
        assert_eq!(s.placed.len(), 1, "no address picture decoded: nothing drawn for it");
        out.clear();
        s.before(&mut out, &wanted).unwrap();
        s.after(&mut out, &wanted, Some(&p), kitty).unwrap();
        assert!(out.is_empty(), "a picture shown is not sent again");
        // Moved: erased where it was (deleted), drawn where it goes.
        let moved = [(FacePicture::Photo, at(30))];
        s.before(&mut out, &moved).unwrap();
        assert!(String::from_utf8_lossy(&out).contains("\x1b_Ga=d,d=I,i=1,q=2\x1b\\"));
        s.after(&mut out, &moved, Some(&p), kitty).unwrap();
        assert_eq!(s.placed[0].1.at, at(30));
        // Not wanted any more: erased, nothing left to erase.
        out.clear();
        s.before(&mut out, &[]).unwrap();
        let text = String::from_utf8_lossy(&out).to_string();
        assert!(
            text.contains("a=d,d=I,i=1") && text.contains("\x1b[3;31H          "),
            "{text:?}"
        );
        assert!(s.placed.is_empty());
        // A resize: what was placed is erased and drawn again though wanted where it was.
        s.after(
            &mut out,
            &moved,
            Some(&p),
            Method::HalfBlocks(picture::Palette::Grey256),
        )
        .unwrap();
        s.stale();
        out.clear();
        s.before(&mut out, &moved).unwrap();
        assert!(s.placed.is_empty() && !out.is_empty());
    }
}
