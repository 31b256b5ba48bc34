//! The look shared by every chart: fonts, sizes, colours and number formats.
//!
//! Charts are meant to be pasted into a blog post or a paper at roughly 600-800 px wide, so
//! text sizes are chosen for a 1200x700 canvas that will be shown at about half size.

use std::sync::OnceLock;

use plotters::style::{FontStyle, RGBColor, register_font};

/// The canvas size of every chart, in pixels (PNG) or user units (SVG).
pub const CANVAS: (u32, u32) = (1200, 700);

/// The one font family used everywhere (registered from the bundled DejaVu Sans).
pub const FAMILY: &str = "sans-serif";

pub const TITLE_PX: u32 = 28;
pub const SUBTITLE_PX: u32 = 18;
pub const PANEL_TITLE_PX: u32 = 20;
pub const AXIS_LABEL_PX: u32 = 20;
pub const TICK_PX: u32 = 16;
pub const LEGEND_PX: u32 = 16;
pub const VALUE_LABEL_PX: u32 = 16;
pub const SOURCE_PX: u32 = 14;

/// Outer margin of the canvas.
pub const MARGIN: i32 = 24;
/// Height reserved at the top for the title and the subtitle.
pub const HEADER_H: u32 = 84;
/// Height reserved at the bottom for the source line.
pub const FOOTER_H: u32 = 34;

pub const BACKGROUND: RGBColor = RGBColor(255, 255, 255);
/// Label colour for text drawn on a `fill` background: ink on light colours, white on dark.
pub fn text_on(fill: RGBColor) -> RGBColor {
    let RGBColor(r, g, b) = fill;
    let luma = 0.299 * r as f64 + 0.587 * g as f64 + 0.114 * b as f64;
    if luma > 140.0 {
        INK
    } else {
        RGBColor(255, 255, 255)
    }
}

/// Near-black for titles and labels (softer than pure black on screen).
pub const INK: RGBColor = RGBColor(33, 33, 33);
/// Secondary text: subtitles, the source line.
pub const MUTED: RGBColor = RGBColor(100, 100, 100);
/// Axis lines and grid lines.
pub const AXIS: RGBColor = RGBColor(120, 120, 120);
pub const GRID: RGBColor = RGBColor(225, 225, 225);
/// "Other strategies" context lines in small multiples.
pub const GHOST: RGBColor = RGBColor(185, 185, 185);

/// Okabe-Ito colour-blind-safe palette, ordered for contrast on white (yellow left out:
/// it is unreadable as a line on a white background).
pub const PALETTE: [RGBColor; 7] = [
    RGBColor(0, 114, 178),   // blue
    RGBColor(213, 94, 0),    // vermillion
    RGBColor(0, 158, 115),   // bluish green
    RGBColor(204, 121, 167), // reddish purple
    RGBColor(230, 159, 0),   // orange
    RGBColor(86, 180, 233),  // sky blue
    RGBColor(0, 0, 0),       // black
];

/// The colour of the `i`-th strategy (scenario order), the same in every chart.
pub fn strategy_color(i: usize) -> RGBColor {
    PALETTE[i % PALETTE.len()]
}

static DEJAVU_SANS: &[u8] = include_bytes!("fonts/DejaVuSans.ttf");
static DEJAVU_SANS_BOLD: &[u8] = include_bytes!("fonts/DejaVuSans-Bold.ttf");

/// Registers the bundled fonts with plotters, once per process. Every family and style the
/// charts use must be registered, or drawing fails with `FontUnavailable`.
pub fn ensure_fonts() -> Result<(), String> {
    static FONTS: OnceLock<Result<(), String>> = OnceLock::new();
    FONTS
        .get_or_init(|| {
            register_font(FAMILY, FontStyle::Normal, DEJAVU_SANS)
                .map_err(|_| "bundled DejaVuSans.ttf is not a valid font".to_string())?;
            register_font(FAMILY, FontStyle::Bold, DEJAVU_SANS_BOLD)
                .map_err(|_| "bundled DejaVuSans-Bold.ttf is not a valid font".to_string())?;
            Ok(())
        })
        .clone()
}

/// Formats a number with up to `max_decimals` decimals, trailing zeros removed.
fn trimmed(v: f64, max_decimals: usize) -> String {
    let s = format!("{v:.max_decimals$}");
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    }
}

/// Dollar amount with a magnitude suffix, for axis ticks: "$0", "$850k", "$1.25M", "$3B".
/// Up to two decimals, trailing zeros removed, so neighbouring ticks stay distinct.
pub fn dollars_tick(v: f64) -> String {
    dollars(v, 2)
}

/// Dollar amount with a magnitude suffix and three significant digits, for value labels:
/// "$850k", "$1.15M", "$12.3M".
pub fn dollars_label(v: f64) -> String {
    dollars(v, 3)
}

/// `decimals` is the number of decimals after scaling; 3 means "three significant digits".
fn dollars(v: f64, decimals: usize) -> String {
    if !v.is_finite() {
        return "n/a".to_string();
    }
    let sign = if v < 0.0 { "-" } else { "" };
    let a = v.abs();
    let scaled = |x: f64| {
        if decimals == 3 {
            // Three significant digits: 1.15, 12.3, 850.
            let d = if x >= 100.0 {
                0
            } else if x >= 10.0 {
                1
            } else {
                2
            };
            trimmed(x, d)
        } else {
            trimmed(x, decimals)
        }
    };
    let body = if a >= 1e15 {
        format!("{a:.1e}")
    } else if a >= 1e12 {
        format!("{}T", scaled(a / 1e12))
    } else if a >= 1e9 {
        format!("{}B", scaled(a / 1e9))
    } else if a >= 1e6 {
        format!("{}M", scaled(a / 1e6))
    } else if a >= 1e3 {
        format!("{}k", scaled(a / 1e3))
    } else {
        scaled(a)
    };
    // "-$0" would be odd for values that round to zero.
    if body == "0" {
        return "$0".to_string();
    }
    format!("{sign}${body}")
}

/// A count with thousands separators: 10000 -> "10,000".
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Shortens `s` to at most `max_chars` characters, ending in an ellipsis if it was cut.
pub fn ellipsize(s: &str, max_chars: usize) -> String {
    if s.chars().count() <= max_chars {
        return s.to_string();
    }
    let keep = max_chars.saturating_sub(1);
    let mut out: String = s.chars().take(keep).collect();
    out = out.trim_end().to_string();
    out.push('…');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dollar_ticks_are_short_and_distinct() {
        assert_eq!(dollars_tick(0.0), "$0");
        assert_eq!(dollars_tick(850_000.0), "$850k");
        assert_eq!(dollars_tick(1_200_000.0), "$1.2M");
        assert_eq!(dollars_tick(1_250_000.0), "$1.25M");
        assert_eq!(dollars_tick(2_000_000.0), "$2M");
        assert_eq!(dollars_tick(12_500.0), "$12.5k");
        assert_eq!(dollars_tick(3e9), "$3B");
        assert_eq!(dollars_tick(-450_000.0), "-$450k");
        assert_eq!(dollars_tick(500.0), "$500");
        assert_eq!(dollars_tick(f64::NAN), "n/a");
        assert_eq!(dollars_label(1_234_567.0), "$1.23M");
        assert_eq!(dollars_label(1_150_000.0), "$1.15M");
        assert_eq!(dollars_label(12_345_678.0), "$12.3M");
        assert_eq!(dollars_label(850_400.0), "$850k");
        assert_eq!(dollars_label(1_000_000.0), "$1M");
        assert_eq!(dollars_label(-0.001), "$0");
    }

    #[test]
    fn other_formats() {
        assert_eq!(thousands(10_000), "10,000");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1_234_567), "1,234,567");
        assert_eq!(ellipsize("abcdef", 4), "abc…");
        assert_eq!(ellipsize("abc", 4), "abc");
    }
}
