namespace Pulse.Bench;

/// <summary>
/// Several Pulse instances on one PostgreSQL database behind a round-robin client: one wrk per instance
/// (one thread, a third of the connections, rounded up), all at once, their numbers summed
/// (requests/s and counts added, p50 and p99 the worst of the three). docs/decisions.md BP2.
/// </summary>
sealed class Instances : IDisposable
{
    public const int Count = 3;

    readonly ServerProcess[] _servers;

    Instances(ServerProcess[] servers) => _servers = servers;

    /// <summary>
    /// Starts <see cref="Count"/> API processes on <paramref name="postgres"/> at the same moment, as a deployment
    /// does (migrations under the advisory lock, the pair keys synced once; docs/decisions.md BP3).
    /// </summary>
    public static async Task<Instances> StartAsync(string sqliteFile, string postgres)
    {
        var starts = Enumerable.Range(0, Count).Select(_ => Store.StartApiAsync(sqliteFile, postgres)).ToArray();
        try
        {
            return new Instances(await Task.WhenAll(starts));
        }
        catch
        {
            foreach (var start in starts.Where(s => s.IsCompletedSuccessfully))
                start.Result.Dispose();
            throw;
        }
    }

    /// <summary>
    /// POSTs to <paramref name="path"/> on every instance at once; instance <c>i</c> sends the lines of
    /// <c>bodies[i % bodies.Count]</c> (one file for all: the same users on every instance; one file each: disjoint requests).
    /// </summary>
    public async Task<WrkResult> PostAsync(string path, IReadOnlyList<string> bodies, int connections, TimeSpan duration,
        IDictionary<string, string>? headers = null)
    {
        var each = (connections + Count - 1) / Count;
        var results = await Task.WhenAll(_servers.Select((s, i) =>
            Wrk.PostLinesAsync(new Uri(s.Address, path), bodies[i % bodies.Count], 1, each, duration, headers)));
        return new WrkResult(
            results.Sum(r => r.RequestsPerSecond),
            results.Sum(r => r.Requests),
            results.Sum(r => r.Non2xx),
            results.Sum(r => r.Errors),
            results.Max(r => r.P50Ms),
            results.Max(r => r.P99Ms),
            string.Join("\n", results.Select(r => r.Raw)));
    }

    /// <summary>The highest peak resident memory of the instances, in MiB.</summary>
    public double PeakRssMiB() => _servers.Max(s => s.PeakRssMiB());

    /// <summary>The lines of <paramref name="file"/> dealt round-robin into <see cref="Count"/> files, one per instance.</summary>
    public static async Task<string[]> SplitAsync(string file)
    {
        var lines = await File.ReadAllLinesAsync(file);
        var parts = new string[Count];
        for (var i = 0; i < Count; i++)
        {
            parts[i] = $"{file}.{i}";
            var part = i;
            await File.WriteAllLinesAsync(parts[i], lines.Where((_, n) => n % Count == part));
        }
        return parts;
    }

    public void Dispose()
    {
        foreach (var server in _servers)
            server.Dispose();
    }
}
