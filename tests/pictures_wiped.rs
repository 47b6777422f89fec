//! The card face's pixels die wiped (issue #24): an allocator of this test binary looks at
//! every block freed (and every block a `realloc` moves away from) on the test's thread while
//! the chip's photo is decoded, handed to the flow, drawn with sixel, kitty and half-blocks,
//! and the confirm screen is left — by Esc, by the clerk's 一致しない, and by 一致 then Enter.
//! No block may go back to the allocator still holding a run of the photo's pixels.
//!
//! (What the JPEG 2000 decoder keeps inside, as floats, is beyond this: README's dependency
//! notes say so.)

use madoguchi::card::basic4;
use madoguchi::card::face::{encode, CardFace, FaceParts, FaceSignature};
use madoguchi::card::vcard::printed::PHOTO_JP2;
use madoguchi::flow::{
    Action, CardFacts, CardReply, Effect, Event, FacePictures, FaceRead, FaceStep, Flow, FlowConfig,
};
use madoguchi::picture::{self, decode, Cells, Grey, Method, Palette};
use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::sync::atomic::{AtomicU8, AtomicUsize, Ordering};

/// Runs of the photo's pixels looked for in freed blocks.
const NEEDLES: usize = 4;
const RUN: usize = 24;

#[allow(clippy::declare_interior_mutable_const)]
const ZERO: AtomicU8 = AtomicU8::new(0);
#[allow(clippy::declare_interior_mutable_const)]
const ROW: [AtomicU8; RUN] = [ZERO; RUN];
static NEEDLE: [[AtomicU8; RUN]; NEEDLES] = [ROW; NEEDLES];
/// Blocks freed with a needle still in them.
static UNWIPED: AtomicUsize = AtomicUsize::new(0);

thread_local! {
    /// Only this thread's frees are looked at (no allocation: a const-initialised `Cell`).
    static ARMED: Cell<bool> = const { Cell::new(false) };
}

struct Watching;

impl Watching {
    /// Whether the `len` bytes at `ptr` hold any needle.
    ///
    /// # Safety
    /// `ptr..ptr+len` is a live allocation of the caller's.
    unsafe fn holds_a_needle(ptr: *const u8, len: usize) -> bool {
        if len < RUN {
            return false;
        }
        // SAFETY: the caller's live block.
        let hay = unsafe { std::slice::from_raw_parts(ptr, len) };
        NEEDLE.iter().any(|n| {
            let n: [u8; RUN] = std::array::from_fn(|i| n[i].load(Ordering::Relaxed));
            hay.windows(RUN).any(|w| w == n)
        })
    }

    fn check(ptr: *const u8, len: usize) {
        if ARMED.with(|a| a.get()) {
            ARMED.with(|a| a.set(false));
            // SAFETY: the block is still live: it is being freed or moved by our caller.
            if unsafe { Watching::holds_a_needle(ptr, len) } {
                UNWIPED.fetch_add(1, Ordering::Relaxed);
            }
            ARMED.with(|a| a.set(true));
        }
    }
}

// SAFETY: delegates every allocation to `System`; only reads a block before it is freed.
unsafe impl GlobalAlloc for Watching {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: the caller's layout, passed on.
        unsafe { System.alloc(layout) }
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: as above.
        unsafe { System.alloc_zeroed(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        Watching::check(ptr, layout.size());
        // SAFETY: the caller's block, as allocated here.
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // A move leaves the old block behind as it was: looked at like a free.
        Watching::check(ptr, layout.size());
        // SAFETY: the caller's block and sizes, passed on.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOC: Watching = Watching;

fn armed<T>(f: impl FnOnce() -> T) -> T {
    ARMED.with(|a| a.set(true));
    let out = f();
    ARMED.with(|a| a.set(false));
    out
}

/// Needles from rows across the photo where its pixels vary (no flat background run that
/// some unrelated buffer might hold too).
fn take_needles(photo: &Grey) {
    let w = photo.width() as usize;
    let px = photo.pixels();
    let mut taken = 0;
    for row in (photo.height() as usize / 8..).step_by(photo.height() as usize / 8) {
        if taken == NEEDLES {
            break;
        }
        let line = &px[row * w..(row + 1) * w];
        let Some(at) = (0..w - RUN).step_by(RUN).find(|&x| {
            let mut seen: Vec<u8> = line[x..x + RUN].to_vec();
            seen.sort_unstable();
            seen.dedup();
            seen.len() >= 10
        }) else {
            continue;
        };
        for (i, b) in line[at..at + RUN].iter().enumerate() {
            NEEDLE[taken][i].store(*b, Ordering::Relaxed);
        }
        taken += 1;
    }
    assert_eq!(taken, NEEDLES, "the photo has varied rows");
}

/// The flow and the card request it waits on.
struct Driver {
    f: Flow,
    now: u64,
    last: Option<u64>,
}

impl Driver {
    fn ev(&mut self, e: Event) -> &mut Driver {
        self.now += 1;
        for e in self.f.handle(self.now, e) {
            if let Effect::Card { id, .. } = e {
                self.last = Some(id);
            }
        }
        self
    }

    fn reply(&mut self, r: CardReply) -> &mut Driver {
        let id = self.last.take().expect("a card request");
        self.ev(Event::Card { id, result: Ok(r) })
    }

    fn typed(&mut self, text: &str) -> &mut Driver {
        for c in text.chars() {
            self.ev(Event::Action(Action::Type(c)));
        }
        self.ev(Event::Action(Action::Submit))
    }
}

/// A flow on the confirm screen with the card face read, its photo `photo`.
fn on_the_confirm_screen(photo: Grey) -> Flow {
    let mut f = Flow::new(FlowConfig {
        signature: false,
        card_face: FaceStep::Require,
        ..FlowConfig::default()
    });
    f.set_today(20261203);
    let person = basic4::decode(&basic4::encode(
        "山田\u{3000}太郎",
        "東京都千代田区",
        "19800217",
        b'1',
        false,
    ))
    .unwrap();
    let parts = FaceParts {
        birth_yyyymmdd: b"19800217",
        sex: b'1',
        card_key: &[0x90, 0x03, 0x01, 0x00, 0x01],
        name_png: b"\x89PNG name",
        address_png: b"\x89PNG address",
        photo_jp2: PHOTO_JP2,
        expiry_yyyymmdd: b"20350217",
        security_code_png: b"\x89PNG code",
    };
    let read = FaceRead {
        face: CardFace::parse(encode(&parts, &[0xA5; 256])).unwrap(),
        signature: FaceSignature::NotVerified,
        pictures: FacePictures {
            photo: Some(photo),
            name: None,
            address: None,
        },
    };
    let mut d = Driver { f, now: 0, last: None };
    d.ev(Event::ConsentLayout { total: 1, visible: 10 })
        .ev(Event::CardPresent)
        .ev(Event::Action(Action::Submit))
        // What the card tells before a PIN, the tries, the PIN.
        .reply(CardReply::Probed(CardFacts::default()))
        .reply(CardReply::Tries(3))
        .typed("1234")
        .reply(CardReply::Read(person))
        // The clerk's step.
        .reply(CardReply::FaceTries(3))
        .typed("20352285")
        .reply(CardReply::Face(Box::new(read)));
    assert!(
        d.f.face().is_some_and(|s| s.photo_shown()),
        "on the confirm screen with the photo"
    );
    d.f
}

/// The middle of the chip's photo, 120×240 pixels: the size sixel (cells of 12×24 pixels) and
/// kitty send for 10×10 cells, so their scaled copies hold these very pixels too.
fn photo() -> Grey {
    let full = decode::photo(PHOTO_JP2).unwrap();
    let (w, x0, y0) = (full.width() as usize, 129, 100);
    let mut px = zeroize::Zeroizing::new(vec![0u8; 120 * 240]);
    for y in 0..240 {
        px[y * 120..(y + 1) * 120].copy_from_slice(&full.pixels()[(y0 + y) * w + x0..(y0 + y) * w + x0 + 120]);
    }
    Grey::new(120, 240, px)
}

#[test]
fn the_photos_pixels_are_wiped_when_the_confirm_screen_is_left() {
    take_needles(&photo());
    // The detector works: a plain copy of the pixels, dropped, is seen.
    let seen = armed(|| {
        let copy = photo().pixels().to_vec();
        drop(copy);
        UNWIPED.swap(0, Ordering::Relaxed)
    });
    assert!(seen >= 1, "an unwiped copy is noticed");

    let at = Cells {
        col: 50,
        row: 3,
        cols: 10,
        rows: 10,
    };
    let leaves: [(&str, &[Action]); 3] = [
        ("Esc", &[Action::Cancel]),
        ("一致しない", &[Action::PhotoDiffers]),
        ("一致, then Enter", &[Action::PhotoMatches, Action::Submit]),
    ];
    for (how, keys) in leaves {
        let unwiped = armed(|| {
            let mut f = on_the_confirm_screen(photo());
            // Drawn the ways the runtime draws it, each escape string written to the "terminal".
            let mut tty = Vec::new();
            let shown = f.face().unwrap().pictures().photo.as_ref().unwrap();
            for method in [
                Method::Sixel { cell_px: (12, 24) },
                Method::Kitty { id: 1 },
                Method::HalfBlocks(Palette::Grey256),
            ] {
                let placed = picture::draw(&mut tty, method, shown, at).unwrap();
                picture::erase(&mut tty, &placed).unwrap();
            }
            drop(tty);
            for (i, a) in keys.iter().enumerate() {
                f.handle(1_000 + i as u64, Event::Action(*a));
            }
            assert!(f.face().is_none(), "{how}: the pictures left the flow");
            drop(f);
            UNWIPED.swap(0, Ordering::Relaxed)
        });
        assert_eq!(unwiped, 0, "{how}: blocks freed with the photo's pixels in them");
    }
}
