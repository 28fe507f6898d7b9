using Dapper;
using Microsoft.Data.Sqlite;
using Pulse.Api.Storage;

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

        var pg = ctx.Store.CopyOf(db);

        WrkResult api;
        double peak;
        long warmedUp;
        using (var server = await Store.StartApiAsync(db.FilePath, pg))
        {
            await Wrk.PostLinesAsync(new Uri(server.Address, "/v1/responses"), warmup, Threads, Connections, EligibilityScenario.Warmup(ctx));
            warmedUp = Store.Scalar<long>(db, pg, CountResponses);
            api = await Wrk.PostLinesAsync(new Uri(server.Address, "/v1/responses"), bodies, Threads, Connections, duration);
            peak = server.PeakRssMiB();
        }
        SqliteConnection.ClearAllPools();
        var stored = Store.Scalar<long>(db, pg, CountResponses) - warmedUp;

        WrkResult bare, autocommit;
        using (var baseline = await ServerProcess.StartBaselineAsync(ctx.File("baseline.db"), ctx.Store.NewDatabase()))
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
            (ctx.Store.IsPostgres
                ? "Baseline (b) opens a pooled Npgsql connection per request and autocommits one INSERT (synchronous_commit on) into its own PostgreSQL database."
                : "Baseline (b) opens a pooled connection per request and autocommits one INSERT with synchronous=FULL in WAL mode."));
        if (ctx.Store.IsPostgres)
            await ThreeInstancesAsync(ctx, db, warmup, bodies, api, bare, duration);
    }

    const string CountResponses = "SELECT COUNT(*) FROM responses";

    /// <summary>Three instances on a fresh copy of the seeded database, each posting its own third of the tokens.</summary>
    static async Task ThreeInstancesAsync(BenchContext ctx, Db db, string warmup, string bodies, WrkResult one, WrkResult bare, TimeSpan duration)
    {
        var pg = ctx.Store.CopyOf(db)!;
        var warmups = await Instances.SplitAsync(warmup);
        var parts = await Instances.SplitAsync(bodies);
        WrkResult all;
        long warmedUp;
        using (var instances = await Instances.StartAsync(db.FilePath, pg))
        {
            await instances.PostAsync("/v1/responses", warmups, Connections, EligibilityScenario.Warmup(ctx));
            warmedUp = Store.Scalar<long>(db, pg, CountResponses);
            all = await instances.PostAsync("/v1/responses", parts, Connections, duration);
        }
        var stored = Store.Scalar<long>(db, pg, CountResponses) - warmedUp;
        const string Name = "ingestion ×3";
        ctx.Report.Add(new Result(Name, "durable responses/s, 3 instances", all.RequestsPerSecond, "req/s", one.RequestsPerSecond, "1 instance",
            Note: $"{all.RequestsPerSecond / bare.RequestsPerSecond:F2}× bare Kestrel"));
        ctx.Report.Add(new Result(Name, "latency p50 / p99 (worst instance)", all.P50Ms, "ms", Note: $"p99 {all.P99Ms:F1} ms"));
        ctx.Report.Add(new Result(Name, "acknowledged 2xx verified in the database", stored, "rows",
            Target: "all", Pass: stored >= all.Succeeded, Note: $"{all.Succeeded} acknowledged, {all.Non2xx} non-2xx, {all.Errors} socket errors"));
        ctx.Report.Note($"Ingestion ×3: three API processes on one fresh copy of the seeded PostgreSQL database, each driven by its own wrk " +
            $"(1 thread, {(Connections + Instances.Count - 1) / Instances.Count} connections) at the same time on its own third of the tokens; " +
            "requests/s summed, latencies the worst instance's; every acknowledged answer is counted in the database afterwards.");
    }
}
