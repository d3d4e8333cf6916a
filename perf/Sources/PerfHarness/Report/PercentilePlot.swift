import Foundation

/// A self-contained HTML page with one inline SVG percentile spectrum per measure: x is
/// the percentile on HdrHistogram's log scale (log10 of 1/(1−p): 0 = p0, 1 = p90,
/// 2 = p99, 3 = p99.9 ...; the maximum is drawn at 1/(1−p) = the sample count), y the
/// latency in µs on a log scale; one line per target.
public enum PercentilePlot {
    static let colours = ["#d62728", "#1f77b4", "#2ca02c", "#9467bd", "#ff7f0e"]
    static let width = 760.0, height = 380.0, left = 70.0, right = 20.0, top = 30.0, bottom = 50.0

    public static func html(_ report: LoadReport) -> String {
        var body = ""
        for (name, title, _) in LoadMeasures().named {
            let lines = report.targets.compactMap { t -> (String, [SpectrumPoint], Int)? in
                guard let s = t.spectra[name], !s.isEmpty, let l = t.latencies[name] else { return nil }
                return (t.title, s, l.count)
            }
            guard !lines.isEmpty else { continue }
            body += "<h2>\(report.targets.first!.protocolName) \(escape(title))</h2>\n" + svg(lines) + "\n"
        }
        let plan = report.targets.first.map { "\($0.plan.label), \($0.connections) connection(s), mix \($0.plan.mix)" } ?? ""
        return """
            <!DOCTYPE html>
            <html><head><meta charset="utf-8"><title>cift-perf load: percentile spectrum</title>
            <style>body{font-family:sans-serif;margin:24px;color:#222} svg{background:#fff;border:1px solid #ccc} .note{color:#555}</style>
            </head><body>
            <h1>cift-perf load</h1>
            <p class="note">\(escape(report.date)) on \(escape(report.host)), \(report.cores) cores, load average \(escape(report.loadAverage)).<br>
            \(escape(plan)). Latency from each request's intended send time.<br>
            \(escape(report.command.joined(separator: " ")))</p>
            \(body)
            </body></html>
            """
    }

    static func x(_ percentile: Double, count: Int) -> Double {
        percentile >= 100 ? log10(Double(max(count, 10))) : log10(1 / (1 - percentile / 100))
    }

    static func svg(_ lines: [(String, [SpectrumPoint], Int)]) -> String {
        let maxX = max(2, ceil(lines.map { l in l.1.map { x($0.percentile, count: l.2) }.max() ?? 0 }.max() ?? 2))
        let values = lines.flatMap { $0.1.map { max($0.microseconds, 0.1) } }
        let minY = floor(log10(values.min() ?? 1)), maxY = max(minY + 1, ceil(log10(values.max() ?? 10)))
        let plotW = width - left - right, plotH = height - top - bottom
        func px(_ v: Double) -> Double { left + v / maxX * plotW }
        func py(_ us: Double) -> Double { top + (1 - (log10(max(us, 0.1)) - minY) / (maxY - minY)) * plotH }
        var s = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(width))\" height=\"\(Int(height))\" font-size=\"11\">"
        for k in 0...Int(maxX) {
            let label = k == 0 ? "0%" : k == 1 ? "90%" : "99." + String(repeating: "9", count: k - 2) + "%"
            s += "<line x1=\"\(px(Double(k)))\" y1=\"\(top)\" x2=\"\(px(Double(k)))\" y2=\"\(top + plotH)\" stroke=\"#eee\"/>"
            s += "<text x=\"\(px(Double(k)))\" y=\"\(top + plotH + 16)\" text-anchor=\"middle\">\(label)</text>"
        }
        for e in Int(minY)...Int(maxY) {
            let v = pow(10, Double(e))
            let label = v >= 1_000 ? "\(Int(v / 1_000)) ms" : v >= 1 ? "\(Int(v)) µs" : "\(v) µs"
            s += "<line x1=\"\(left)\" y1=\"\(py(v))\" x2=\"\(left + plotW)\" y2=\"\(py(v))\" stroke=\"#eee\"/>"
            s += "<text x=\"\(left - 6)\" y=\"\(py(v) + 4)\" text-anchor=\"end\">\(label)</text>"
        }
        s += "<rect x=\"\(left)\" y=\"\(top)\" width=\"\(plotW)\" height=\"\(plotH)\" fill=\"none\" stroke=\"#888\"/>"
        s += "<text x=\"\(left + plotW / 2)\" y=\"\(height - 8)\" text-anchor=\"middle\">percentile (log scale of 1/(1−p))</text>"
        s += "<text x=\"14\" y=\"\(top + plotH / 2)\" transform=\"rotate(-90 14 \(top + plotH / 2))\" text-anchor=\"middle\">latency (log scale)</text>"
        for (i, line) in lines.enumerated() {
            let colour = colours[i % colours.count]
            let points = line.1.map { String(format: "%.1f,%.1f", px(x($0.percentile, count: line.2)), py($0.microseconds)) }
            s += "<polyline fill=\"none\" stroke=\"\(colour)\" stroke-width=\"2\" points=\"\(points.joined(separator: " "))\"/>"
            s += "<rect x=\"\(left + 10)\" y=\"\(top + 8 + Double(i) * 16)\" width=\"12\" height=\"3\" fill=\"\(colour)\"/>"
            s += "<text x=\"\(left + 28)\" y=\"\(top + 13 + Double(i) * 16)\">\(escape(line.0)) (\(line.2) samples)</text>"
        }
        return s + "</svg>"
    }

    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;")
    }
}
