using System.Diagnostics;

namespace Pulse.Bench;

/// <summary>Runs the scenarios in order, prints each result as it comes, then writes docs/benchmarks.md.</summary>
static class Runner
{
    public static async Task<int> RunAsync(BenchOptions options)
    {
        var started = DateTimeOffset.UtcNow;
        var clock = Stopwatch.StartNew();
        var machine = Machine.Describe();
        Console.WriteLine($"Pulse benchmarks on {machine.Cores} cores, {machine.Memory}, {machine.Os} ({(options.Quick ? "quick" : "full")} run)");
        var report = new Report();
        var work = Path.Combine(Path.GetTempPath(), "pulse-bench", Guid.NewGuid().ToString("n"));
        Directory.CreateDirectory(work);
        var load = File.ReadAllText("/proc/loadavg").Split(' ')[..3];
        var store = Store.Open(options, work);
        var context = new BenchContext(options, report, work, store);
        try
        {
            foreach (var scenario in Scenarios.All)
            {
                if (!options.Runs(scenario))
                    continue;
                Console.WriteLine();
                Console.WriteLine($"== {scenario.Name}: {scenario.Description}");
                var step = Stopwatch.StartNew();
                await scenario.Run(context);
                Console.WriteLine($"   ({step.Elapsed.TotalSeconds:F0} s)");
            }
        }
        finally
        {
            store.Dispose();
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            if (Environment.GetEnvironmentVariable("PULSE_BENCH_KEEP") is null)
                try { Directory.Delete(work, recursive: true); } catch (IOException) { }
            else
                Console.WriteLine($"Kept {work}");
        }

        var took = clock.Elapsed;
        Console.WriteLine();
        Console.WriteLine($"Done in {took.TotalMinutes:F1} min.");
        if (options.WriteDocs && store.IsPostgres)
        {
            // The PostgreSQL run (quick ones too, marked as such) replaces only its own section.
            var path = Path.Combine(RepoRoot(), "docs", "benchmarks.md");
            var existing = File.Exists(path) ? await File.ReadAllTextAsync(path) : "";
            var after = File.ReadAllText("/proc/loadavg").Split(' ')[..3];
            report.Section("postgres", report.PostgresMarkdown(machine, options, started, took, string.Join(" ", load), string.Join(" ", after)));
            await File.WriteAllTextAsync(path, report.Splice(existing));
            Console.WriteLine($"Updated the postgres section of {path}");
        }
        else if (options.WriteDocs && !options.Quick)
        {
            var root = RepoRoot();
            var path = Path.Combine(root, "docs", "benchmarks.md");
            var existing = File.Exists(path) ? await File.ReadAllTextAsync(path) : "";
            if (options.Only is null)
            {
                var analysisPath = Path.Combine(root, "bench", "analysis.md");
                var analysis = File.Exists(analysisPath) ? File.ReadAllLines(analysisPath) : [];
                var text = report.Markdown(machine, "dotnet run -c Release --project bench   # or: ./build.ps1 bench", started, took, analysis);
                await File.WriteAllTextAsync(path, Report.KeepSections(text, existing));
                Console.WriteLine($"Wrote {path}");
            }
            else if (report.Sections.Count > 0)
            {
                // A run of opt-in scenarios (the soak) replaces only its own sections.
                await File.WriteAllTextAsync(path, report.Splice(existing));
                Console.WriteLine($"Updated {string.Join(", ", report.Sections.Keys)} in {path}");
            }
        }
        return 0;
    }

    /// <summary>The folder holding Pulse.slnx, found upwards from the working directory.</summary>
    public static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(Directory.GetCurrentDirectory()); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Pulse.slnx")))
                return dir.FullName;
        throw new InvalidOperationException("Run the benchmarks from inside the Pulse repository.");
    }
}

/// <summary>What every scenario gets: options, the report, and a scratch folder deleted at the end.</summary>
sealed record BenchContext(BenchOptions Options, Report Report, string WorkDirectory, Store Store)
{
    public string File(string name) => Path.Combine(WorkDirectory, name);

    /// <summary>Full-size or quick-run value.</summary>
    public T Size<T>(T full, T quick) => Options.Quick ? quick : full;
}

/// <param name="OptIn">Runs only when named with <c>--only</c> (the 15-minute soak).</param>
/// <param name="OnPostgres">Also runs with <c>--provider postgres</c>.</param>
sealed record Scenario(string Name, string Description, Func<BenchContext, Task> Run, bool OptIn = false, bool OnPostgres = false);
