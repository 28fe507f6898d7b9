namespace Pulse.Bench;

/// <summary>Every scenario of the run, in order.</summary>
static class Scenarios
{
    public static IReadOnlyList<Scenario> All { get; } =
    [
        new("startup", "process start to /readyz 200 on an empty database", StartupScenario.EmptyAsync, OnPostgres: true),
        new("eligibility", "eligibility throughput and latency vs bare Kestrel", EligibilityScenario.RunAsync, OnPostgres: true),
        new("ingestion", "durable responses per second vs bare Kestrel and autocommitted inserts", IngestionScenario.RunAsync, OnPostgres: true),
        new("analytics", "every dashboard query over a year of responses (a fifth today), checked against raw rows, and start-up on that database", AnalyticsScenario.RunAsync),
        new("widget", "widget and loader bytes as served", WidgetScenario.RunAsync),
        new("tenancy", "one workspace's eligibility latency while another sits at every survey limit", TenancyScenario.RunAsync),
        new("overload", "/healthz while thousands of connections keep the public listener busy", OverloadScenario.RunAsync, OptIn: true),
        new("soak", "15 minutes of mixed traffic: memory, WAL, threads, descriptors and throughput must plateau", SoakScenario.RunAsync, OptIn: true),
    ];
}

static class StartupScenario
{
    public static async Task EmptyAsync(BenchContext ctx)
    {
        var runs = ctx.Size(5, 2);
        var times = new List<double>();
        for (var i = 0; i < runs; i++)
        {
            var db = ctx.File($"startup-{i}.db");
            using var api = await Store.StartApiAsync(db, ctx.Store.NewDatabase());
            times.Add(api.Startup.TotalMilliseconds);
        }
        times.Sort();
        ctx.Report.Add(new Result("startup", "empty database: start to /readyz 200 (median)", times[times.Count / 2], "ms",
            Note: $"{runs} runs, includes creating and migrating the {(ctx.Store.IsPostgres ? "database" : "file")}"));
        ctx.Report.Note("Start-up: wall time from `Process.Start` of `dotnet Pulse.Api.dll` to the first 200 from `/readyz`, polled every 10 ms.");
    }
}
