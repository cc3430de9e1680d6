import Foundation
import TorchVision

/// The pictures a training run leaves: line charts of the per-epoch metrics and the confusion
/// matrix as a heatmap, drawn on a ``Canvas`` with its built-in font.
///
/// ```swift
/// try Charts.lineChart(title: "training loss", xLabel: "epoch", yLabel: "loss",
///                      series: [.init(name: "loss", color: Charts.blue, points: [(1, 0.6), (2, 0.4)])])
///     .write(to: runDir.appendingPathComponent("loss.png"))
/// ```
enum Charts {
    /// One line of a chart.
    struct Series {
        var name: String
        var color: Canvas.Color
        var points: [(x: Double, y: Double)]
    }

    // matplotlib's first two default colours, familiar from PyTorch tutorials.
    static let blue = Canvas.Color(31, 119, 180)
    static let orange = Canvas.Color(255, 127, 14)
    static let ink = Canvas.Color.grey(40)
    static let gridColor = Canvas.Color.grey(225)

    /// Text scale of labels and titles: 5x7 glyphs drawn at 10x14 pixels.
    static let textScale = 2

    // MARK: Line charts

    /// A line chart with a title, axis labels, ticks at round values, light grid lines, dots at
    /// the data points and, for two or more series, a legend in the upper or lower right corner.
    static func lineChart(title: String, xLabel: String, yLabel: String, series: [Series],
                          width: Int = 800, height: Int = 500, legendAtBottom: Bool = false) -> Canvas {
        var canvas = Canvas(width: width, height: height)
        let all = series.flatMap(\.points).filter { $0.x.isFinite && $0.y.isFinite }
        let textH = BitmapFont.height * textScale

        // Axis ranges: x covers the epochs (whole numbers), y the values with a little room.
        let xs = all.map(\.x), ys = all.map(\.y)
        let xMin = xs.min() ?? 0, xMax = xs.max() ?? 1
        let xTicks = integerTicks(xMin, xMax)
        let xPad = max(0.25, (xMax - xMin) * 0.04)
        let xRange = (min(xMin, xTicks.first!) - xPad, max(xMax, xTicks.last!) + xPad)
        var (yLo, yHi) = (ys.min() ?? 0, ys.max() ?? 1)
        let ySpread = yHi - yLo
        if ySpread <= 1e-12 * max(abs(yHi), 1) {
            let pad = max(abs(yHi) * 0.1, 0.05)
            (yLo, yHi) = (yLo - pad, yHi + pad)
        } else {
            (yLo, yHi) = (yLo - ySpread * 0.05, yHi + ySpread * 0.05)
        }
        let yTicks = niceTicks(yLo, yHi)
        let yRange = (yTicks.first!, yTicks.last!)
        let yStep = yTicks.count > 1 ? yTicks[1] - yTicks[0] : 1

        // Plot area: room on the left for the rotated y label and the widest tick label.
        let yTickLabels = yTicks.map { tickLabel($0, step: yStep) }
        let widestTick = yTickLabels.map { Canvas.textSize($0, scale: textScale).width }.max() ?? 0
        let left = 16 + textH + 14 + widestTick + 10
        let right = width - 28
        let top = 20 + textH + 22
        let bottom = height - (16 + textH + 14 + textH + 10)
        let plotW = Double(right - left), plotH = Double(bottom - top)
        func px(_ x: Double) -> Double { Double(left) + (x - xRange.0) / (xRange.1 - xRange.0) * plotW }
        func py(_ y: Double) -> Double { Double(bottom) - (y - yRange.0) / (yRange.1 - yRange.0) * plotH }

        canvas.drawText(title, x: (left + right) / 2, y: 20, color: ink, scale: textScale, align: .center)
        // Grid and ticks.
        for (tick, label) in zip(yTicks, yTickLabels) {
            let y = Int(py(tick).rounded())
            canvas.fillRect(x: left, y: y, width: right - left, height: 1, color: gridColor)
            canvas.fillRect(x: left - 6, y: y, width: 6, height: 1, color: ink)
            canvas.drawText(label, x: left - 10, y: y, color: ink, scale: textScale, align: .right, verticalAlign: .middle)
        }
        for tick in xTicks {
            let x = Int(px(tick).rounded())
            canvas.fillRect(x: x, y: top, width: 1, height: bottom - top, color: gridColor)
            canvas.fillRect(x: x, y: bottom, width: 1, height: 6, color: ink)
            canvas.drawText(tickLabel(tick, step: 1), x: x, y: bottom + 10, color: ink, scale: textScale, align: .center)
        }
        canvas.strokeRect(x: left, y: top, width: right - left + 1, height: bottom - top + 1, color: ink)
        canvas.drawText(xLabel, x: (left + right) / 2, y: height - 12, color: ink, scale: textScale,
                        align: .center, verticalAlign: .bottom)
        canvas.drawTextUpwards(yLabel, centerX: 16 + textH / 2, centerY: (top + bottom) / 2, color: ink, scale: textScale)

        // Data: lines, then dots on top (dots only while there is room for them).
        for s in series {
            let points = s.points.filter { $0.x.isFinite && $0.y.isFinite }.map { (x: px($0.x), y: py($0.y)) }
            for (a, b) in zip(points, points.dropFirst()) { canvas.drawLine(from: a, to: b, color: s.color, width: 2.5) }
            if points.count <= 60 {
                for p in points { canvas.fillCircle(center: p, radius: 4, color: s.color) }
            }
        }

        if series.count > 1 {
            let rowH = textH + 10
            let boxW = 14 + 30 + 10 + (series.map { Canvas.textSize($0.name, scale: textScale).width }.max() ?? 0) + 14
            let boxH = 10 + rowH * series.count
            let boxX = right - 12 - boxW
            let boxY = legendAtBottom ? bottom - 12 - boxH : top + 12
            canvas.fillRect(x: boxX, y: boxY, width: boxW, height: boxH, color: .white)
            canvas.strokeRect(x: boxX, y: boxY, width: boxW, height: boxH, color: .grey(170))
            for (i, s) in series.enumerated() {
                let cy = Double(boxY + 10 + rowH * i + textH / 2)
                canvas.drawLine(from: (Double(boxX + 14), cy), to: (Double(boxX + 44), cy), color: s.color, width: 2.5)
                canvas.fillCircle(center: (Double(boxX + 29), cy), radius: 4, color: s.color)
                canvas.drawText(s.name, x: boxX + 54, y: Int(cy), color: ink, scale: textScale, verticalAlign: .middle)
            }
        }
        return canvas
    }

    /// Round tick values covering `lo...hi` (`lo < hi`): the finest step of 1, 2 or 5 times a power
    /// of ten that needs at most `maxIntervals` intervals.
    static func niceTicks(_ lo: Double, _ hi: Double, maxIntervals: Int = 7) -> [Double] {
        precondition(lo < hi && lo.isFinite && hi.isFinite, "niceTicks needs a finite range, got \(lo)...\(hi)")
        var magnitude = pow(10, (log10((hi - lo) / Double(maxIntervals))).rounded(.down))
        while true {
            for multiple in [1.0, 2, 5] {
                let step = multiple * magnitude
                let first = (lo / step).rounded(.down), last = (hi / step).rounded(.up)
                // Multiplying whole numbers by the step keeps rounding drift from piling up.
                if last - first <= Double(maxIntervals) { return stride(from: first, through: last, by: 1).map { $0 * step } }
            }
            magnitude *= 10
        }
    }

    /// Whole-number ticks (epochs) covering `lo...hi`.
    static func integerTicks(_ lo: Double, _ hi: Double) -> [Double] {
        let ticks = niceTicks(lo, max(hi, lo + 1))
        let step = max(1, (ticks.count > 1 ? ticks[1] - ticks[0] : 1).rounded())
        let first = (lo / step).rounded(.up) * step
        return Array(stride(from: first, through: max(hi, first), by: step))
    }

    /// A tick value with as many decimals as its step needs.
    static func tickLabel(_ value: Double, step: Double) -> String {
        let decimals = max(0, Int(-(log10(step) + 1e-9).rounded(.down)))
        let text = String(format: "%.\(decimals)f", value)
        return text.hasPrefix("-") && Double(text) == 0 ? String(text.dropFirst()) : text
    }

    // MARK: Confusion matrix

    /// The confusion matrix (`confusion[actual][predicted]`) as a heatmap: each cell shaded by its
    /// share of the actual class's row, with its count; rows labelled with index and class name,
    /// columns with the index.
    static func confusionMatrix(_ confusion: [[Int]], classNames: [String], title: String) -> Canvas {
        let n = confusion.count
        let cell = 56
        let textH = BitmapFont.height * textScale
        let rowLabels = (0..<n).map { i in i < classNames.count ? "\(i) \(classNames[i])" : "\(i)" }
        let labelW = rowLabels.map { Canvas.textSize($0, scale: textScale).width }.max() ?? 0
        let left = 16 + textH + 16 + labelW + 12
        let top = 20 + textH + 22
        let titleW = Canvas.textSize(title, scale: textScale).width
        let width = max(left + n * cell + 24, titleW + 40)
        let height = top + n * cell + 10 + textH + 14 + textH + 16 + textH + 14
        var canvas = Canvas(width: width, height: height)

        // Centred over the grid when it fits there, else moved left just enough to fit.
        let titleX = min(left + n * cell / 2, width - 20 - titleW / 2)
        canvas.drawText(title, x: titleX, y: 20, color: ink, scale: textScale, align: .center)
        for (i, row) in confusion.enumerated() {
            let total = row.reduce(0, +)
            canvas.drawText(rowLabels[i], x: left - 12, y: top + i * cell + cell / 2, color: ink, scale: textScale,
                            align: .right, verticalAlign: .middle)
            for (j, count) in row.enumerated() {
                let share = total > 0 ? Double(count) / Double(total) : 0
                let x = left + j * cell, y = top + i * cell
                canvas.fillRect(x: x, y: y, width: cell, height: cell, color: blues(share))
                let text = String(count)
                let scale = Canvas.textSize(text, scale: textScale).width <= cell - 6 ? textScale : 1
                canvas.drawText(text, x: x + cell / 2, y: y + cell / 2, color: share > 0.45 ? .white : ink,
                                scale: scale, align: .center, verticalAlign: .middle)
            }
        }
        // Thin separators between cells keep neighbouring pale cells apart.
        for k in 0...n {
            canvas.fillRect(x: left + k * cell, y: top, width: 1, height: n * cell + 1, color: .grey(200))
            canvas.fillRect(x: left, y: top + k * cell, width: n * cell + 1, height: 1, color: .grey(200))
        }
        canvas.strokeRect(x: left, y: top, width: n * cell + 1, height: n * cell + 1, color: ink)
        let gridBottom = top + n * cell
        for j in 0..<n {
            canvas.drawText(String(j), x: left + j * cell + cell / 2, y: gridBottom + 10, color: ink, scale: textScale, align: .center)
        }
        canvas.drawText("predicted", x: left + n * cell / 2, y: gridBottom + 10 + textH + 14, color: ink,
                        scale: textScale, align: .center)
        canvas.drawText("shade: share of the actual class's row", x: left + n * cell / 2, y: height - 14,
                        color: .grey(110), scale: textScale, align: .center, verticalAlign: .bottom)
        canvas.drawTextUpwards("actual", centerX: 16 + textH / 2, centerY: top + n * cell / 2, color: ink, scale: textScale)
        return canvas
    }

    /// matplotlib's "Blues" colour map, approximately: white through light to dark blue.
    static func blues(_ t: Double) -> Canvas.Color {
        let stops: [Canvas.Color] = [.init(247, 251, 255), .init(198, 219, 239), .init(107, 174, 214),
                                     .init(33, 113, 181), .init(8, 48, 107)]
        let position = min(max(t, 0), 1) * Double(stops.count - 1)
        let k = min(Int(position), stops.count - 2)
        return stops[k].mixed(with: stops[k + 1], position - Double(k))
    }
}
