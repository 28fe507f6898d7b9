using Dapper;
using Microsoft.Data.Sqlite;

namespace Pulse.Bench;

/// <summary>
/// Durable responses per second: each POST /v1/responses answered 2xx has been committed with
/// synchronous=FULL. Against (a) bare Kestrel accepting the same POST and (b) one autocommitted
/// synchronous=FULL insert per request through Dapper — both served by the baseline process.
/// </summary>
static class IngestionScenario
{
    public const int Threads = 2;
    public const int Connections = 64;

    public static async Task RunAsync(BenchContext ctx)
    {
        await Wrk.EnsureInstalledAsync();
        var duration = TimeSpan.FromSeconds(ctx.Size(10, 3));
        var tokens = ctx.Size(300_000, 60_000);
        var (db, ws) = Seed.NewDatabase(ctx.File("ingest.db"));
        var list = Seed.Displays(db, ws.WorkspaceId, tokens);
        // Separate tokens for the warm-up, so every measured request is a first answer (an insert).
        var warmupCount = tokens / 4;
        var warmup = ctx.File("responses-warmup.jsonl");
        var bodies = ctx.File("responses.jsonl");
        var comments = new[] { "Love it", "Too slow on Mondays", "The reports are great, exports could be faster", "" };
        string Body(string token, int i) => $$"""{"displayToken":"{{token}}","score":{{i % 11}},"comment":"{{comments[i % comments.Length]}}"}""";
        await File.WriteAllLinesAsync(warmup, list.Take(warmupCount).Select(Body));
        await File.WriteAllLinesAsync(bodies, list.Skip(warmupCount).Select(Body));
        tokens -= warmupCount;

        WrkResult api;
        double peak;
        long warmedUp;
        using (var server = await ServerProcess.StartApiAsync(db.FilePath))
        {
            await Wrk.PostLinesAsync(new Uri(server.Address, "/v1/responses"), warmup, Threads, Connections, EligibilityScenario.Warmup(ctx));
            using (var c = db.Open())
                warmedUp = c.ExecuteScalar<long>("SELECT COUNT(*) FROM responses");
            api = await Wrk.PostLinesAsync(new Uri(server.Address, "/v1/responses"), bodies, Threads, Connections, duration);
            peak = server.PeakRssMiB();
        }
        SqliteConnection.ClearAllPools();
        long stored;
        using (var c = db.Open())
            stored = c.ExecuteScalar<long>("SELECT COUNT(*) FROM responses") - warmedUp;

        WrkResult bare, autocommit;
        using (var baseline = await ServerProcess.StartBaselineAsync(ctx.File("baseline.db")))
        {
            await Wrk.PostLinesAsync(new Uri(baseline.Address, "/bare"), warmup, Threads, Connections, EligibilityScenario.Warmup(ctx));
            bare = await Wrk.PostLinesAsync(new Uri(baseline.Address, "/bare"), bodies, Threads, Connections, duration);
            autocommit = await Wrk.PostLinesAsync(new Uri(baseline.Address, "/autocommit"), bodies, Threads, Connections, duration);
        }

        var verified = stored >= api.Succeeded && api.Succeeded <= tokens;
        ctx.Report.Add(new Result("ingestion", "durable responses/s vs bare Kestrel (a)", api.RequestsPerSecond, "req/s",
            bare.RequestsPerSecond, "bare Kestrel", "≥ 0.50×", api.RequestsPerSecond >= 0.5 * bare.RequestsPerSecond));
        ctx.Report.Add(new Result("ingestion", "durable responses/s vs autocommit insert (b)", api.RequestsPerSecond, "req/s",
            autocommit.RequestsPerSecond, "1 insert per request", "≥ 8×", api.RequestsPerSecond >= 8 * autocommit.RequestsPerSecond));
        ctx.Report.Add(new Result("ingestion", "latency p50 / p99", api.P50Ms, "ms", Note: $"p99 {api.P99Ms:F1} ms"));
        ctx.Report.Add(new Result("ingestion", "acknowledged 2xx verified in the database", stored, "rows",
            Target: "all", Pass: verified, Note: $"{api.Succeeded} acknowledged, {api.Non2xx} non-2xx, {api.Errors} socket errors"));
        ctx.Report.Add(new Result("memory", "API peak RSS during ingestion", peak, "MiB", Target: "≤ 150 MiB", Pass: peak <= 150));
        ctx.Report.Note($"Ingestion: wrk, {Threads} threads, {Connections} connections, {duration.TotalSeconds:F0} s each, on the same 2 cores as the server; " +
            "each request posts a different display token's score and comment (first post, so every 2xx is an insert). " +
            "Baseline (b) opens a pooled connection per request and autocommits one INSERT with synchronous=FULL in WAL mode.");
    }
}
