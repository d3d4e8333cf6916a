import PerfSupport
import GatewayCore
import Matching
#if canImport(Glibc)
import Glibc
#endif
let args = CommandLine.arguments
var p = OrderFlow.Parameters()
if args.count > 1 { p.maxOrders = Int(args[1])! }
if args.count > 2 { p.maxPriceLevelsPerSide = Int(args[2])! }
let flow = OrderFlow(p)
let rig = MatchingRig(flow: flow, recordLatency: false)
var rates: [Int] = []
let runs = args.count > 3 ? Int(args[3])! : 15
for _ in 0..<runs {
    rig.run(.throughput)
    rates.append(rig.commandsPerSecond)
    rig.run(.restore)
}
rig.stop()
rates.sort()
print("maxOrders \(p.maxOrders) levels \(p.maxPriceLevelsPerSide): median \(rates[rates.count/2]) max \(rates.last!) \(rig.failure ?? "")")
