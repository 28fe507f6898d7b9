using System.Diagnostics;
using Microsoft.Data.Sqlite;

namespace Pulse.Bench;

/// <summary>
/// Health under overload: wrk holds thousands of connections busy with eligibility calls while a
/// probe asks <c>/healthz</c> every 100 ms, as an orchestrator's liveness check would. Run twice
/// in the same run: health on the public listener with the overload limits off (how Pulse ran
/// before issue 12), and the defaults with health on the management listener.
/// Opt-in: <c>--only overload</c>.
/// </summary>
static class OverloadScenario
{
    public static async Task RunAsync(BenchContext ctx)
    {
        await Wrk.EnsureInstalledAsync();
        var connections = ctx.Size(6000, 1000);
        var duration = TimeSpan.FromSeconds(ctx.Size(20, 5));
        var (db, ws) = Seed.NewDatabase(ctx.File("overload.db"));
        EligibilityScenario.SeedUsers(db, ws, ctx.Size(20_000, 2_000), ctx.File("overload.jsonl"));
        SqliteConnection.ClearAllPools();
        var headers = new Dictionary<string, string> { ["Origin"] = "http://localhost:5080" };

        var shared = await Measure(ctx, db.FilePath, headers, connections, duration, new Dictionary<string, string>
        {
            ["Operations:MaxConcurrentRequests"] = "0",
            ["Operations:MaxConnections"] = "0",
        }, management: false);
        var separate = await Measure(ctx, db.FilePath, headers, connections, duration, null, management: true);

        foreach (var (name, m) in new[] { ("public listener, no overload limits", shared), ("management listener, default limits", separate) })
        {
            Console.WriteLine($"   {name}: /healthz p50 {m.P50:F1} ms, p99 {m.P99:F1} ms, max {m.Max:F0} ms, {m.Failed} of {m.Probes} failed; " +
                $"wrk {m.Wrk.RequestsPerSecond:F0} req/s, {m.Wrk.Non2xx} non-2xx, {m.Wrk.Errors} socket errors");
            ctx.Report.Add(new Result("overload", $"/healthz max under {connections:N0} connections: {name}", m.Max, "ms",
                Target: "≤ 1000 ms", Pass: m.Max <= 1000,
                Note: $"p50 {m.P50:F1} ms, p99 {m.P99:F1} ms over {m.Probes} probes, {m.Failed} failed; wrk {m.Wrk.RequestsPerSecond:F0} req/s, " +
                    $"{m.Wrk.Non2xx} non-2xx, {m.Wrk.Errors} socket errors, p99 {m.Wrk.P99Ms:F0} ms"));
        }
        var how = $"wrk, 2 threads, {connections:N0} connections, {duration.TotalSeconds:F0} s of site-key eligibility calls; " +
            "meanwhile one client asks /healthz every 100 ms on a fresh connection with a 10 s timeout (a failed probe counts as 10 s). " +
            "First with health on the public listener and Operations:MaxConcurrentRequests and MaxConnections off (as before issue 12), " +
            "then with the defaults and health on Operations:ManagementUrl.";
        var md = new System.Text.StringBuilder();
        md.AppendLine("## Overload");
        md.AppendLine();
        md.AppendLine($"`dotnet run -c Release --project bench -- --only overload`: {how} Run {DateTimeOffset.UtcNow:yyyy-MM-dd HH:mm} UTC on " +
            $"{Environment.ProcessorCount} cores; the machine's load average (1/5/15 min) was {SoakScenario.LoadAverage()} at the end.");
        md.AppendLine();
        md.AppendLine("| health served by | /healthz p50 | p99 | max | failed probes | wrk req/s | non-2xx (503) |");
        md.AppendLine("|---|---:|---:|---:|---:|---:|---:|");
        foreach (var (name, m) in new[] { ("public listener, no overload limits", shared), ("management listener, default limits", separate) })
            md.AppendLine(string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $"| {name} | {m.P50:F1} ms | {m.P99:F1} ms | {m.Max:F0} ms | {m.Failed} of {m.Probes} | {m.Wrk.RequestsPerSecond:F0} | {m.Wrk.Non2xx:N0} |"));
        ctx.Report.Section("overload", md.ToString());
    }

    sealed record Measured(double P50, double P99, double Max, int Probes, int Failed, WrkResult Wrk);

    static async Task<Measured> Measure(BenchContext ctx, string database, Dictionary<string, string> headers, int connections, TimeSpan duration,
        IDictionary<string, string>? settings, bool management)
    {
        using var server = await ServerProcess.StartApiAsync(database, settings, management ? ServerProcess.FreePort() : null);
        using var stop = new CancellationTokenSource();
        var probe = Task.Run(() => Probe(server.Management ?? server.Address, stop.Token));
        var wrk = await Wrk.PostLinesAsync(new Uri(server.Address, "/v1/eligibility"), ctx.File("overload.jsonl"), 2, connections, duration, headers);
        await stop.CancelAsync();
        var (times, failed) = await probe;
        times.Sort();
        double At(double q) => times.Count == 0 ? double.NaN : times[Math.Min(times.Count - 1, (int)Math.Ceiling(times.Count * q) - 1)];
        return new Measured(At(0.5), At(0.99), times.Count == 0 ? double.NaN : times[^1], times.Count, failed, wrk);
    }

    static async Task<(List<double> Times, int Failed)> Probe(Uri address, CancellationToken stop)
    {
        var times = new List<double>();
        var failed = 0;
        while (!stop.IsCancellationRequested)
        {
            using var http = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.Zero })
            {
                BaseAddress = address,
                Timeout = TimeSpan.FromSeconds(10),
            };
            var clock = Stopwatch.StartNew();
            try
            {
                using var response = await http.GetAsync("/healthz", CancellationToken.None);
                if (!response.IsSuccessStatusCode)
                    failed++;
                times.Add(clock.Elapsed.TotalMilliseconds);
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
            {
                failed++;
                times.Add(10_000);
            }
            try
            {
                await Task.Delay(100, stop);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
        return (times, failed);
    }
}
