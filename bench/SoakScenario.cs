using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Dapper;
using Microsoft.Data.Sqlite;

namespace Pulse.Bench;

/// <summary>
/// Mixed traffic for a long time (15 minutes by default): 70 % eligibility calls for 50,000 users,
/// 25 % answers and comment updates, 5 % analytics, from a fixed number of closed-loop clients.
/// Every interval (30 s) it samples the API process's resident memory, threads and open file
/// descriptors, the size of the WAL, its index and the database, and the throughput; then it idles
/// and samples again. A quantity "keeps growing" when the highest value of the second half of the
/// run (after a warm-up in which every user asks once, and one more minute) is above the highest of the first half by more than its
/// tolerance; that fails its target. Opt-in: <c>--only soak</c> (<c>--soak-minutes</c> shortens it).
/// </summary>
static class SoakScenario
{
    const int Workers = 16;
    const string Origin = "http://localhost:5080";

    public static async Task RunAsync(BenchContext ctx)
    {
        var duration = TimeSpan.FromMinutes(ctx.Options.SoakMinutes ?? ctx.Size(15.0, 2.0));
        var interval = TimeSpan.FromSeconds(Math.Min(30, Math.Max(5, duration.TotalSeconds / 8)));
        var idle = TimeSpan.FromSeconds(ctx.Size(60, 15));
        var users = ctx.Size(50_000, 5_000);
        var tokenCount = ctx.Size(300_000, 20_000);

        var loadBefore = LoadAverage();
        var clock = Stopwatch.StartNew();
        var (db, ws) = Seed.NewDatabase(ctx.File("soak.db"));
        var mix = EligibilityScenario.SeedUsers(db, ws, users, ctx.File("soak-eligibility.jsonl"));
        var eligibilityBodies = await File.ReadAllLinesAsync(ctx.File("soak-eligibility.jsonl"));
        var tokens = Seed.Displays(db, ws.WorkspaceId, tokenCount);
        SqliteConnection.ClearAllPools();
        Console.WriteLine($"   seeded {users:N0} users and {tokenCount:N0} displays to answer in {clock.Elapsed.TotalSeconds:F0} s");

        using var server = await ServerProcess.StartApiAsync(db.FilePath, managementPort: ServerProcess.FreePort());
        using var scraper = new HttpClient { BaseAddress = server.Management, Timeout = TimeSpan.FromSeconds(10) };
        var load = new Load(server.Address, ws.SecretKey, eligibilityBodies, tokens);
        // Warm-up: every user asks once, as on a server that has run for a while, so the bounded caches
        // (decisions, rate-limit partitions, SQLite pages of end_users) are full before anything is measured.
        var warming = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, Workers).Select(i => Task.Run(() => load.WarmUpAsync(i, Workers))));
        Console.WriteLine($"   warm-up: {users:N0} users asked once in {warming.Elapsed.TotalSeconds:F0} s");
        load.Swap();
        var samples = new List<Sample>();
        using var stop = new CancellationTokenSource();
        var workers = Enumerable.Range(0, Workers).Select(i => Task.Run(() => load.WorkerAsync(i, stop.Token))).ToArray();

        var run = Stopwatch.StartNew();
        Console.WriteLine("   " + Sample.Header);
        var next = interval;
        while (run.Elapsed < duration)
        {
            var wait = next - run.Elapsed;
            if (wait > TimeSpan.Zero)
                await Task.Delay(wait);
            next += interval;
            var sample = await Sample.TakeAsync(server.Pid, db.FilePath, run.Elapsed, load.Swap(), scraper);
            samples.Add(sample);
            Console.WriteLine("   " + sample.Line);
        }
        await stop.CancelAsync();
        await Task.WhenAll(workers);
        load.Swap();
        await Task.Delay(idle);
        var rested = await Sample.TakeAsync(server.Pid, db.FilePath, run.Elapsed, load.Swap(), scraper);
        Console.WriteLine($"   after {idle.TotalSeconds:F0} s idle: " + rested.Line);
        if (load.Errors.Length > 0)
            Console.WriteLine($"   failed requests: {load.Errors}");

        var shutdown = Stopwatch.StartNew();
        var stopped = await server.StopAsync(TimeSpan.FromSeconds(30));
        var shutdownTime = shutdown.Elapsed;
        SqliteConnection.ClearAllPools();
        long stored;
        string integrity;
        using (var c = db.Open())
        {
            stored = c.ExecuteScalar<long>("SELECT COUNT(*) FROM responses r JOIN displays d ON d.id = r.display_id WHERE d.user_id LIKE 'ingest-%'");
            integrity = c.ExecuteScalar<string>("PRAGMA integrity_check") ?? "";
        }

        Summarize(ctx, duration, interval, idle, samples, rested, load, stored, integrity, stopped, shutdownTime, mix, users, tokenCount,
            $"{loadBefore} before, {LoadAverage()} after");
    }

    /// <summary>The machine's 1, 5 and 15-minute load averages: other work on the same cores shows in every number here.</summary>
    internal static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(" / ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "unknown";

    static void Summarize(BenchContext ctx, TimeSpan duration, TimeSpan interval, TimeSpan idle, List<Sample> samples, Sample rested, Load load,
        long stored, string integrity, bool stopped, TimeSpan shutdownTime, EligibilityScenario.Mix mix, int users, int tokenCount, string machineLoad)
    {
        var warm = samples.Skip(Math.Max(1, (int)Math.Ceiling(TimeSpan.FromMinutes(1) / interval))).ToList();
        if (warm.Count < 2)
            warm = samples;
        var first = warm.Take(warm.Count / 2).ToList();
        var second = warm.Skip(warm.Count / 2).ToList();

        void Plateau(string metric, Func<Sample, double> value, string unit, double absolute, string note)
        {
            var before = first.Max(value);
            var after = second.Max(value);
            var allowed = before + Math.Max(absolute, before * 0.10);
            ctx.Report.Add(new Result("soak", metric, after, unit, Target: "plateau", Pass: after <= allowed,
                Note: $"{note}; highest {before.ToString("F1", CultureInfo.InvariantCulture)} in the first half, {after.ToString("F1", CultureInfo.InvariantCulture)} in the second, after idle {value(rested).ToString("F1", CultureInfo.InvariantCulture)}"));
        }

        var total = samples.Sum(s => s.Requests);
        var errors = samples.Sum(s => s.Errors);
        ctx.Report.Add(new Result("soak", "requests (all intervals)", total, "req",
            Note: $"{errors} errors{(errors > 0 ? $" ({load.Errors})" : "")}; {load.Created:N0} answers created, {load.Updated:N0} updated; throughput {samples[0].Rps:F0} req/s in the first interval, {samples[^1].Rps:F0} in the last"));
        Plateau("resident memory (RSS)", s => s.RssMiB, "MiB", 16, "VmRSS");
        Plateau("managed heap (GC)", s => s.GcHeapMiB, "MiB", 8, "after the last collection, all generations");
        Plateau("SQLite memory", s => s.SqliteMiB, "MiB", 8, "sqlite3_memory_used, soft limit Storage:SqliteMemoryMiB");
        Plateau("WAL size", s => s.WalMiB, "MiB", 4, "pulse.db-wal");
        Plateau("threads", s => s.Threads, "threads", 4, "/proc/<pid>/status");
        Plateau("open file descriptors", s => s.Fds, "fds", 8, "/proc/<pid>/fd");
        ctx.Report.Add(new Result("soak", "acknowledged answers stored", stored, "rows", Target: "all", Pass: stored == load.Created && integrity == "ok",
            Note: $"{load.Created:N0} acknowledged with 201; integrity_check {integrity}; SIGTERM to exit {shutdownTime.TotalSeconds:F1} s{(stopped ? "" : " (killed)")}"));

        var md = new StringBuilder();
        md.AppendLine("## Soak");
        md.AppendLine();
        md.AppendLine($"`dotnet run -c Release --project bench -- --only soak` ({duration.TotalMinutes:F0} minutes; `--soak-minutes <n>` shortens it). " +
            $"{Workers} closed-loop clients on loopback send 70 % eligibility calls for {users:N0} users (site key, Origin, userHash; " +
            $"{mix.Eligible:N0} eligible at the start), 25 % answers (a score, then a comment update for the same display token; " +
            $"{tokenCount:N0} displays, reused with new comments when exhausted) and 5 % analytics (`metrics/nps` by plan and week, " +
            "`metrics/nps`, `responses?limit=50`, secret key), after a warm-up in which every user asks once (as on a server that has run " +
            "for a while, so bounded caches are full before anything is measured). Sampled every " +
            $"{interval.TotalSeconds:F0} s; a quantity fails \"plateau\" when its highest value in the second half of the run (after a " +
            "further minute) exceeds the highest of the first half by more than 10 % (and more than 16 MiB of RSS, 8 MiB of managed heap " +
            "or SQLite memory, 4 MiB of WAL, 4 threads, 8 descriptors).");
        md.AppendLine();
        md.AppendLine($"Run {DateTimeOffset.UtcNow:yyyy-MM-dd HH:mm} UTC on {Environment.ProcessorCount} cores; the machine's load average (1/5/15 min) was " +
            $"{machineLoad} — other work on the same cores slows every request here, so read the trends, not the absolute rates.");
        md.AppendLine();
        md.AppendLine("| time | req/s | errors | p99 ms | RSS MiB | GC heap MiB | SQLite MiB | WAL MiB | -shm MiB | db MiB | threads | fds |");
        md.AppendLine("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var s in samples)
            md.AppendLine(s.Row(s.At.TotalSeconds.ToString("F0", CultureInfo.InvariantCulture) + " s"));
        md.AppendLine(rested.Row($"+{idle.TotalSeconds:F0} s idle"));
        md.AppendLine();
        foreach (var r in ctx.Report.Results.Where(r => r.Scenario == "soak"))
            md.AppendLine($"- {r.Metric}: {Report.Format(r.Value)} {r.Unit}{(r.Target is null ? "" : $" — {(r.Pass == true ? "PASS" : "FAIL")} ({r.Target})")}{(r.Note is null ? "" : $"; {r.Note}")}");
        ctx.Report.Section("soak", md.ToString());
    }

    /// <summary>The clients: a weighted mix per request, counters swapped out at every sample.</summary>
    sealed class Load(Uri address, string secretKey, string[] eligibilityBodies, List<string> tokens)
    {
        static readonly string[] AnalyticsPaths =
        [
            "/v1/metrics/nps?interval=week&groupBy=plan",
            "/v1/metrics/nps",
            "/v1/responses?limit=50",
        ];

        static readonly string[] Comments = ["Love it", "Too slow on Mondays", "The reports are great, exports could be faster", "Support answered fast"];

        readonly HttpClient _http = new(new SocketsHttpHandler { MaxConnectionsPerServer = Workers, PooledConnectionLifetime = Timeout.InfiniteTimeSpan })
        {
            BaseAddress = address,
            Timeout = TimeSpan.FromSeconds(30),
        };

        readonly Lock _gate = new();
        List<double> _latencies = [];
        readonly double[] _kindMs = new double[3];
        readonly long[] _kindCount = new long[3];
        long _answers = -1;
        long _requests, _errors, _created, _updated;

        readonly System.Collections.Concurrent.ConcurrentDictionary<string, long> _errorsByStatus = new();

        /// <summary>Failed requests by kind and status (0: no answer), for the report.</summary>
        public string Errors => string.Join(", ", _errorsByStatus.OrderBy(e => e.Key).Select(e => $"{e.Key}: {e.Value}"));

        public long Created => Interlocked.Read(ref _created);

        public long Updated => Interlocked.Read(ref _updated);

        /// <summary>Sends the eligibility body of every <paramref name="step"/>-th user once, from <paramref name="first"/>.</summary>
        public async Task WarmUpAsync(int first, int step)
        {
            for (var i = first; i < eligibilityBodies.Length; i += step)
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/eligibility")
                {
                    Content = new StringContent(eligibilityBodies[i], Encoding.UTF8, "application/json"),
                };
                request.Headers.Add("Origin", Origin);
                try
                {
                    using var response = await _http.SendAsync(request, CancellationToken.None);
                }
                catch (HttpRequestException) { }
                catch (TaskCanceledException) { }
            }
        }

        public async Task WorkerAsync(int id, CancellationToken stop)
        {
            var random = new Random(1000 + id);
            while (!stop.IsCancellationRequested)
            {
                var roll = random.NextDouble();
                var kind = roll < 0.70 ? 0 : roll < 0.95 ? 1 : 2;
                using var request = kind switch { 0 => Eligibility(random), 1 => Answer(), _ => Analytics(random) };
                var clock = Stopwatch.StartNew();
                HttpStatusCode? status = null;
                try
                {
                    using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseContentRead, CancellationToken.None);
                    status = response.StatusCode;
                }
                catch (HttpRequestException) { }
                catch (TaskCanceledException) { }
                var ms = clock.Elapsed.TotalMilliseconds;
                Interlocked.Increment(ref _requests);
                if (status == HttpStatusCode.Created)
                    Interlocked.Increment(ref _created);
                else if (status == HttpStatusCode.OK && kind == 1)
                    Interlocked.Increment(ref _updated);
                if (status is not (HttpStatusCode.OK or HttpStatusCode.Created))
                {
                    Interlocked.Increment(ref _errors);
                    _errorsByStatus.AddOrUpdate($"{kind switch { 0 => "eligibility", 1 => "answer", _ => "analytics" }} {(int?)status ?? 0}", 1, (_, n) => n + 1);
                }
                lock (_gate)
                {
                    _latencies.Add(ms);
                    _kindMs[kind] += ms;
                    _kindCount[kind]++;
                }
            }
        }

        HttpRequestMessage Eligibility(Random random)
        {
            var request = new HttpRequestMessage(HttpMethod.Post, "/v1/eligibility")
            {
                Content = new StringContent(eligibilityBodies[random.Next(eligibilityBodies.Length)], Encoding.UTF8, "application/json"),
            };
            request.Headers.Add("Origin", Origin);
            return request;
        }

        /// <summary>Even steps post a display's score, odd steps its comment; past the last display, comments change again.</summary>
        HttpRequestMessage Answer()
        {
            var n = Interlocked.Increment(ref _answers);
            var display = n / 2 % tokens.Count;
            var round = n / 2 / tokens.Count;
            var score = (int)(display % 11);
            var body = n % 2 == 0 && round == 0
                ? $$"""{"displayToken":"{{tokens[(int)display]}}","score":{{score}}}"""
                : $$"""{"displayToken":"{{tokens[(int)display]}}","score":{{score}},"comment":"{{Comments[(int)(display % Comments.Length)]}} ({{round}}.{{n % 2}})"}""";
            return new HttpRequestMessage(HttpMethod.Post, "/v1/responses") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        }

        HttpRequestMessage Analytics(Random random)
        {
            var request = new HttpRequestMessage(HttpMethod.Get, AnalyticsPaths[random.Next(AnalyticsPaths.Length)]);
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", secretKey);
            return request;
        }

        /// <summary>What was counted since the last call; mean milliseconds of eligibility, answers and analytics.</summary>
        public Counted Swap()
        {
            List<double> latencies;
            var means = new double[3];
            lock (_gate)
            {
                latencies = _latencies;
                _latencies = new List<double>(latencies.Count);
                for (var k = 0; k < 3; k++)
                {
                    means[k] = _kindCount[k] == 0 ? 0 : _kindMs[k] / _kindCount[k];
                    _kindMs[k] = 0;
                    _kindCount[k] = 0;
                }
            }
            latencies.Sort();
            var p99 = latencies.Count == 0 ? 0 : latencies[Math.Min(latencies.Count - 1, (int)Math.Ceiling(latencies.Count * 0.99) - 1)];
            return new Counted(Interlocked.Exchange(ref _requests, 0), Interlocked.Exchange(ref _errors, 0), p99, means);
        }
    }

    sealed record Counted(long Requests, long Errors, double P99Ms, double[] MeanMs);

    sealed record Sample(TimeSpan At, TimeSpan Span, long Requests, long Errors, double P99Ms, double RssMiB, double WalMiB, double ShmMiB,
        double DbMiB, int Threads, int Fds, double AnonMiB, double FileMiB, double ShmemMiB, double GcHeapMiB, double SqliteMiB, double[] MeanMs)
    {
        public const string Header = "   time    req/s  errors  p99 ms   RSS MiB  WAL MiB  shm MiB   db MiB  threads  fds   (anon/file/shmem, GC heap, SQLite MiB; mean ms elig/answer/analytics)";

        static TimeSpan Last;

        public double Rps => Span.TotalSeconds > 0 ? Requests / Span.TotalSeconds : 0;

        public static async Task<Sample> TakeAsync(int pid, string database, TimeSpan at, Counted counted, HttpClient management)
        {
            var span = at - Last;
            Last = at;
            var status = File.ReadAllLines($"/proc/{pid}/status");
            double Field(string name) => double.Parse(status.First(l => l.StartsWith(name, StringComparison.Ordinal))
                .Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
            static double MiB(string path) => File.Exists(path) ? new FileInfo(path).Length / 1048576.0 : 0;
            var (gcHeap, sqlite) = await ScrapeMiB(management);
            return new Sample(at, span, counted.Requests, counted.Errors, counted.P99Ms, Field("VmRSS:") / 1024, MiB(database + "-wal"),
                MiB(database + "-shm"), MiB(database), (int)Field("Threads:"), Directory.GetFileSystemEntries($"/proc/{pid}/fd").Length,
                Field("RssAnon:") / 1024, Field("RssFile:") / 1024, Field("RssShmem:") / 1024, gcHeap, sqlite, counted.MeanMs);
        }

        /// <summary>Managed heap after the last collection (all generations) and SQLite's memory, from the Prometheus scrape.</summary>
        static async Task<(double GcHeap, double Sqlite)> ScrapeMiB(HttpClient management)
        {
            try
            {
                var lines = (await management.GetStringAsync("/metrics")).Split('\n');
                double Sum(string metric) => lines.Where(l => l.StartsWith(metric, StringComparison.Ordinal))
                    .Sum(l => double.Parse(l[(l.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture)) / 1048576.0;
                return (Sum("dotnet_gc_last_collection_heap_size_bytes"), Sum("pulse_storage_sqlite_memory_bytes"));
            }
            catch (HttpRequestException)
            {
                return (double.NaN, double.NaN);
            }
        }

        public string Line => string.Create(CultureInfo.InvariantCulture,
            $"{At.TotalSeconds,6:F0}s {Rps,8:F0} {Errors,7} {P99Ms,7:F1} {RssMiB,9:F1} {WalMiB,8:F1} {ShmMiB,8:F2} {DbMiB,8:F1} {Threads,8} {Fds,4}   ({AnonMiB:F0}/{FileMiB:F0}/{ShmemMiB:F0}, {GcHeapMiB:F0}, {SqliteMiB:F0}; {MeanMs[0]:F1}/{MeanMs[1]:F1}/{MeanMs[2]:F0})");

        public string Row(string time) => string.Create(CultureInfo.InvariantCulture,
            $"| {time} | {Rps:F0} | {Errors} | {P99Ms:F1} | {RssMiB:F0} | {GcHeapMiB:F0} | {SqliteMiB:F0} | {WalMiB:F1} | {ShmMiB:F2} | {DbMiB:F1} | {Threads} | {Fds} |");
    }
}
