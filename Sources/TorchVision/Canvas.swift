import Foundation
import Torch

/// A small RGB raster to draw charts on: rectangles, anti-aliased lines and dots, and text in
/// the built-in ``BitmapFont``; saved as PNG.
///
/// Coordinates are pixels from the top-left corner; drawing outside the canvas is clipped.
///
/// ```swift
/// var canvas = Canvas(width: 200, height: 100)
/// canvas.drawLine(from: (10, 90), to: (190, 10), color: .init(31, 119, 180), width: 2)
/// canvas.drawText("loss", x: 100, y: 5, color: .black, scale: 2, align: .center)
/// try canvas.write(to: URL(fileURLWithPath: "chart.png"))
/// ```
public struct Canvas: Sendable {
    /// An opaque 8-bit RGB colour.
    public struct Color: Equatable, Sendable {
        public var r: UInt8
        public var g: UInt8
        public var b: UInt8

        public init(_ r: UInt8, _ g: UInt8, _ b: UInt8) {
            self.r = r
            self.g = g
            self.b = b
        }

        public static let black = Color(0, 0, 0)
        public static let white = Color(255, 255, 255)

        /// A grey of the given level, 0 (black) to 255 (white).
        public static func grey(_ level: UInt8) -> Color { Color(level, level, level) }

        /// The colour `t` of the way from `self` to `other` (`t` in 0...1).
        public func mixed(with other: Color, _ t: Double) -> Color {
            let t = min(max(t, 0), 1)
            func mix(_ a: UInt8, _ b: UInt8) -> UInt8 { UInt8((Double(a) + (Double(b) - Double(a)) * t).rounded()) }
            return Color(mix(r, other.r), mix(g, other.g), mix(b, other.b))
        }
    }

    /// Where a text's anchor point lies along the text, horizontally.
    public enum HorizontalAlignment: Sendable { case left, center, right }
    /// Where a text's anchor point lies along the text, vertically.
    public enum VerticalAlignment: Sendable { case top, middle, bottom }

    public let width: Int
    public let height: Int
    /// RGB bytes, row-major, `width * height * 3` of them.
    public private(set) var pixels: [UInt8]

    /// A canvas filled with `background`.
    public init(width: Int, height: Int, background: Color = .white) {
        precondition(width >= 1 && height >= 1, "Canvas: size must be positive, got \(width)x\(height)")
        self.width = width
        self.height = height
        pixels = [UInt8](repeating: 0, count: width * height * 3)
        fillRect(x: 0, y: 0, width: width, height: height, color: background)
    }

    /// The colour at (`x`, `y`); setting outside the canvas does nothing.
    public subscript(x: Int, y: Int) -> Color {
        get {
            precondition(x >= 0 && x < width && y >= 0 && y < height, "Canvas: (\(x), \(y)) is outside \(width)x\(height)")
            let i = (y * width + x) * 3
            return Color(pixels[i], pixels[i + 1], pixels[i + 2])
        }
        set {
            guard x >= 0 && x < width && y >= 0 && y < height else { return }
            let i = (y * width + x) * 3
            pixels[i] = newValue.r
            pixels[i + 1] = newValue.g
            pixels[i + 2] = newValue.b
        }
    }

    /// Paints `color` over the pixel with opacity `alpha` (0...1).
    public mutating func blend(x: Int, y: Int, color: Color, alpha: Double) {
        guard alpha > 0, x >= 0 && x < width && y >= 0 && y < height else { return }
        self[x, y] = alpha >= 1 ? color : self[x, y].mixed(with: color, alpha)
    }

    // MARK: Shapes

    /// Fills the axis-aligned rectangle with top-left corner (`x`, `y`).
    public mutating func fillRect(x: Int, y: Int, width w: Int, height h: Int, color: Color) {
        let x0 = max(x, 0), x1 = min(x + w, width), y0 = max(y, 0), y1 = min(y + h, height)
        guard x0 < x1, y0 < y1 else { return }
        for yy in y0..<y1 {
            for xx in x0..<x1 {
                let i = (yy * width + xx) * 3
                pixels[i] = color.r
                pixels[i + 1] = color.g
                pixels[i + 2] = color.b
            }
        }
    }

    /// Draws the rectangle's outline, `lineWidth` pixels thick, inside its bounds.
    public mutating func strokeRect(x: Int, y: Int, width w: Int, height h: Int, color: Color, lineWidth: Int = 1) {
        fillRect(x: x, y: y, width: w, height: lineWidth, color: color)
        fillRect(x: x, y: y + h - lineWidth, width: w, height: lineWidth, color: color)
        fillRect(x: x, y: y, width: lineWidth, height: h, color: color)
        fillRect(x: x + w - lineWidth, y: y, width: lineWidth, height: h, color: color)
    }

    /// An anti-aliased straight line `width` pixels wide, with round ends; pixel (i, j) covers
    /// the square from (i, j) to (i + 1, j + 1).
    public mutating func drawLine(from a: (x: Double, y: Double), to b: (x: Double, y: Double), color: Color,
                                  width lineWidth: Double = 1) {
        let half = lineWidth / 2
        let dx = b.x - a.x, dy = b.y - a.y
        let lengthSquared = dx * dx + dy * dy
        let x0 = Int((min(a.x, b.x) - half - 1).rounded(.down)), x1 = Int((max(a.x, b.x) + half + 1).rounded(.up))
        let y0 = Int((min(a.y, b.y) - half - 1).rounded(.down)), y1 = Int((max(a.y, b.y) + half + 1).rounded(.up))
        // stride, unlike a Range, is simply empty when the line lies off the canvas.
        for y in stride(from: max(y0, 0), to: min(y1 + 1, height), by: 1) {
            for x in stride(from: max(x0, 0), to: min(x1 + 1, width), by: 1) {
                let px = Double(x) + 0.5, py = Double(y) + 0.5
                // Distance from the pixel centre to the segment.
                let t = lengthSquared > 0 ? min(max(((px - a.x) * dx + (py - a.y) * dy) / lengthSquared, 0), 1) : 0
                let ex = px - (a.x + t * dx), ey = py - (a.y + t * dy)
                let coverage = min(max(half + 0.5 - (ex * ex + ey * ey).squareRoot(), 0), 1)
                blend(x: x, y: y, color: color, alpha: coverage)
            }
        }
    }

    /// An anti-aliased filled disc.
    public mutating func fillCircle(center c: (x: Double, y: Double), radius: Double, color: Color) {
        drawLine(from: c, to: c, color: color, width: 2 * radius)
    }

    // MARK: Text

    /// The size in pixels of `text` drawn at `scale` (one line; no trailing spacing).
    public static func textSize(_ text: String, scale: Int = 1) -> (width: Int, height: Int) {
        let n = text.count
        return (n == 0 ? 0 : (n * BitmapFont.advance - 1) * scale, BitmapFont.height * scale)
    }

    /// Draws one line of `text` with the built-in 5x7 font, each font pixel `scale` pixels square,
    /// placed so that (`x`, `y`) is the point named by `align` and `verticalAlign`.
    public mutating func drawText(_ text: String, x: Int, y: Int, color: Color, scale: Int = 1,
                                  align: HorizontalAlignment = .left, verticalAlign: VerticalAlignment = .top) {
        let (w, h) = Canvas.textSize(text, scale: scale)
        let left = x - (align == .left ? 0 : align == .center ? w / 2 : w)
        let top = y - (verticalAlign == .top ? 0 : verticalAlign == .middle ? h / 2 : h)
        for (k, character) in text.enumerated() {
            let glyph = BitmapFont.glyph(character)
            for (row, bits) in glyph.enumerated() {
                for column in 0..<BitmapFont.width where bits & (0x10 >> UInt8(column)) != 0 {
                    fillRect(x: left + (k * BitmapFont.advance + column) * scale, y: top + row * scale,
                             width: scale, height: scale, color: color)
                }
            }
        }
    }

    /// Draws `text` turned a quarter anticlockwise (reading upwards), as a chart's y-axis
    /// label; (`x`, `y`) is the centre of the text.
    public mutating func drawTextUpwards(_ text: String, centerX x: Int, centerY y: Int, color: Color, scale: Int = 1) {
        let (w, h) = Canvas.textSize(text, scale: scale)
        // In the turned frame the text runs from bottom to top, its glyph tops facing left.
        let left = x - h / 2, bottom = y + w / 2
        for (k, character) in text.enumerated() {
            let glyph = BitmapFont.glyph(character)
            for (row, bits) in glyph.enumerated() {
                for column in 0..<BitmapFont.width where bits & (0x10 >> UInt8(column)) != 0 {
                    fillRect(x: left + row * scale, y: bottom - (k * BitmapFont.advance + column + 1) * scale,
                             width: scale, height: scale, color: color)
                }
            }
        }
    }

    // MARK: Output

    /// The canvas as a PNG file's bytes (RGB, 8-bit).
    public func png() -> [UInt8] {
        PNG.encode(width: width, height: height, channels: 3, pixels: pixels)
    }

    /// Writes the canvas as a PNG file, atomically.
    public func write(to url: URL) throws {
        try PNG.write(to: url, width: width, height: height, channels: 3, pixels: pixels)
    }
}
