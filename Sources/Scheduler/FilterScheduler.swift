/// Nova's filter scheduler as pure logic: host states in, chosen hosts out.
///
/// For each instance of a request it keeps the hosts whose inventory fits (placement's step) and that pass every
/// filter in order, weighs them, and picks at random among the best `hostSubsetSize`. Before the next instance of the
/// same request it takes the placed instance's resources and group membership from its own copy of the chosen host,
/// so that later instances see them. Hosts leave the running only: one that failed for an earlier instance is not
/// tried again, and filters that say they run once per request run for the first instance only. Only the host that
/// took the previous instance is weighed again (see ``HostWeigher``).
public struct FilterScheduler: Sendable {
    /// The filters, in the order they run.
    public let filters: [any HostFilter]
    /// The weighers that count, with their multipliers.
    public let weighers: [(weigher: any HostWeigher, multiplier: Double)]
    /// How many of the best hosts the choice is made among.
    public let hostSubsetSize: Int

    /// A scheduler with the filters and weighers `settings` name, which must all exist (see
    /// ``SchedulerSettings/unknownNames``).
    public init(settings: SchedulerSettings = .default) {
        precondition(settings.unknownNames.isEmpty, "Unknown scheduler filters or weighers: \(settings.unknownNames)")
        let weighers = settings.weigherMultipliers.sorted { $0.key < $1.key }.compactMap { name, multiplier in
            SchedulerSettings.weigher(named: name).map { (weigher: $0, multiplier: multiplier) }
        }
        self.init(
            filters: settings.enabledFilters.compactMap(settings.filter(named:)),
            weighers: weighers,
            hostSubsetSize: settings.hostSubsetSize
        )
    }

    /// A scheduler with these filters in this order and these weighers; weighers with multiplier 0 are dropped.
    public init(filters: [any HostFilter], weighers: [(weigher: any HostWeigher, multiplier: Double)], hostSubsetSize: Int = 1) {
        self.filters = filters
        self.weighers = weighers.filter { $0.multiplier != 0 }
        self.hostSubsetSize = max(hostSubsetSize, 1)
    }

    /// Picks a host for each of `spec.numInstances` instances, each with up to `alternates` other hosts that passed
    /// the filters for it, best first.
    ///
    /// - Throws: ``NoValidHost`` when some instance has no host left, saying which step removed how many hosts.
    public func select(
        _ spec: ScheduleRequest,
        from hosts: [HostState],
        alternates: Int,
        using random: inout some RandomNumberGenerator
    ) throws(NoValidHost) -> [Selection] {
        var spec = spec
        var states = hosts
        var tally = Tally(hosts: hosts.count, filters: filters.count)
        var candidates: [Int] = []
        candidates.reserveCapacity(hosts.count)
        if let requested = spec.requestedHost {
            candidates.append(contentsOf: hosts.indices.lazy.filter { hosts[$0].host == requested })
            tally.notRequested = hosts.count - candidates.count
        } else {
            candidates.append(contentsOf: hosts.indices)
        }
        if !spec.ignoreHosts.isEmpty {
            let count = candidates.count
            candidates.removeAll { spec.ignoreHosts.contains(hosts[$0].host) }
            tally.ignored = count - candidates.count
        }
        let alternates = max(alternates, 0)
        var selections: [Selection] = []
        selections.reserveCapacity(max(spec.numInstances, 0))
        // Raw weights by weigher, in the order of `candidates`.
        var raw: [[Double]] = []
        // The host the previous instance went to, and its position in `candidates` then.
        var placed: (host: Int, position: Int)?
        for instance in 0..<max(spec.numInstances, 0) {
            if let placed {
                let before = candidates
                filter(&candidates, states, spec, placed: placed.position, tally: &tally)
                if candidates.count < before.count {
                    raw = raw.map { keeping($0, of: before, in: candidates) }
                }
                if let position = candidates.firstIndex(of: placed.host) {
                    for (column, (weigher, _)) in weighers.enumerated() {
                        raw[column][position] = weigher.weight(states[placed.host], spec)
                    }
                }
            } else {
                filter(&candidates, states, spec, placed: nil, tally: &tally)
                raw = rawWeights(candidates, states, spec)
            }
            guard !candidates.isEmpty else {
                throw tally.noValidHost(filterNames: filters.map(\.name), instance: instance, of: spec.numInstances)
            }
            let ranked = bestPositions(of: totals(raw, count: candidates.count), count: hostSubsetSize + alternates)
            let pick = hostSubsetSize > 1 ? ranked[Int.random(in: 0..<min(hostSubsetSize, ranked.count), using: &random)] : ranked[0]
            let chosen = candidates[pick]
            let others = ranked.filter { $0 != pick }.prefix(alternates).map { states[candidates[$0]].host }
            selections.append(Selection(host: states[chosen].host, alternates: others))
            if instance + 1 < spec.numInstances {
                states[chosen].consume(spec)
                spec.group?.memberHosts[states[chosen].host, default: 0] += 1
                placed = (chosen, pick)
            }
        }
        return selections
    }

    /// ``select(_:from:alternates:using:)`` with the system's random number generator.
    public func select(_ spec: ScheduleRequest, from hosts: [HostState], alternates: Int = 0) throws(NoValidHost) -> [Selection] {
        var random = SystemRandomNumberGenerator()
        return try select(spec, from: hosts, alternates: alternates, using: &random)
    }

    /// Removes the candidates that lack resources or fail a filter, counting what each step removed.
    ///
    /// `placed` is the position of the candidate that took the request's previous instance, if any: the others still
    /// have the resources they had then, and filters that run once per request have seen them all.
    private func filter(_ candidates: inout [Int], _ states: [HostState], _ spec: ScheduleRequest, placed: Int?, tally: inout Tally) {
        if let placed {
            if !states[candidates[placed]].fits(spec) {
                candidates.remove(at: placed)
                tally.lackedResources += 1
            }
        } else {
            let count = candidates.count
            candidates.removeAll { !states[$0].fits(spec) }
            tally.lackedResources += count - candidates.count
        }
        for (index, filter) in filters.enumerated() where !candidates.isEmpty && (placed == nil || !filter.runsOncePerRequest) {
            let count = candidates.count
            filter.removeRejected(from: &candidates, in: states, for: spec)
            tally.removed[index] += count - candidates.count
        }
    }

    /// Each weigher's raw weights of the candidates.
    func rawWeights(_ candidates: [Int], _ states: [HostState], _ spec: ScheduleRequest) -> [[Double]] {
        weighers.map { $0.weigher.weights(of: candidates, in: states, for: spec) }
    }

    /// The total weights of `count` candidates: each weigher's `raw` weights normalised to 0...1 over the candidates
    /// (all 0 when they are all equal), times its multiplier, summed.
    func totals(_ raw: [[Double]], count: Int) -> [Double] {
        var totals = [Double](repeating: 0, count: count)
        totals.withUnsafeMutableBufferPointer { totals in
            for (weights, (_, multiplier)) in zip(raw, weighers) {
                // Index loops over buffers: fast in debug builds too, where iterators and generics are not.
                weights.withUnsafeBufferPointer { weights in
                    var lowest = Double.infinity
                    var highest = -Double.infinity
                    var position = 0
                    while position < count {
                        let weight = weights[position]
                        if weight < lowest { lowest = weight }
                        if weight > highest { highest = weight }
                        position += 1
                    }
                    guard highest > lowest else { return }
                    let scale = multiplier / (highest - lowest)
                    position = 0
                    while position < count {
                        totals[position] += (weights[position] - lowest) * scale
                        position += 1
                    }
                }
            }
        }
        return totals
    }
}

/// The entries of `values`, which follow `before`, for the candidates still in `after`, a subsequence of `before`.
private func keeping(_ values: [Double], of before: [Int], in after: [Int]) -> [Double] {
    var kept: [Double] = []
    kept.reserveCapacity(after.count)
    var next = 0
    var position = 0
    while position < before.count, next < after.count {
        if before[position] == after[next] {
            kept.append(values[position])
            next += 1
        }
        position += 1
    }
    return kept
}

/// Positions of the `count` highest weights, highest first; equal weights keep their order.
func bestPositions(of weights: [Double], count: Int) -> [Int] {
    guard count < 32, count < weights.count else {
        let sorted = weights.indices.sorted { weights[$0] > weights[$1] || (weights[$0] == weights[$1] && $0 < $1) }
        return Array(sorted.prefix(count))
    }
    var best: [Int] = []
    best.reserveCapacity(count + 1)
    weights.withUnsafeBufferPointer { weights in
        var position = 0
        while position < weights.count {
            let weight = weights[position]
            if best.count < count || weight > weights[best[count - 1]] {
                var slot = best.count
                while slot > 0, weights[best[slot - 1]] < weight { slot -= 1 }
                best.insert(position, at: slot)
                if best.count > count { best.removeLast() }
            }
            position += 1
        }
    }
    return best
}

/// How many hosts each step of one request removed, for the NoValidHost reason.
private struct Tally {
    let hosts: Int
    var notRequested = 0
    var ignored = 0
    var lackedResources = 0
    /// By filter position.
    var removed: [Int]

    init(hosts: Int, filters: Int) {
        self.hosts = hosts
        self.removed = Array(repeating: 0, count: filters)
    }

    func noValidHost(filterNames: [String], instance: Int, of instances: Int) -> NoValidHost {
        var reason = "No valid host was found. There are not enough hosts available"
        if instances > 1 { reason += " for instance \(instance + 1) of \(instances)" }
        guard hosts > 0 else { return NoValidHost(reason: reason + ": there are no compute hosts.") }
        var steps: [String] = []
        if notRequested > 0 { steps.append("\(notRequested) not the requested host") }
        if ignored > 0 { steps.append("\(ignored) already tried") }
        if lackedResources > 0 { steps.append("\(lackedResources) lacked resources (VCPU, MEMORY_MB or DISK_GB)") }
        for (name, count) in zip(filterNames, removed) where count > 0 {
            steps.append("\(name) removed \(count)")
        }
        return NoValidHost(reason: reason + ". \(hosts) host\(hosts == 1 ? "" : "s"): " + steps.joined(separator: ", ") + ".")
    }
}
