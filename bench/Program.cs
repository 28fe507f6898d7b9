namespace Pulse.Bench;

/// <summary>
/// <c>dotnet run -c Release --project bench</c>: measures Pulse against baselines started by the same
/// run and rewrites docs/benchmarks.md. <c>--quick</c> shrinks every data set (a smoke run);
/// <c>--only a,b</c> runs some scenarios; <c>--no-write</c> leaves the docs alone.
/// </summary>
static class BenchProgram
{
    static async Task<int> Main(string[] args)
    {
        if (args.Length > 0 && args[0] == BaselineServer.Verb)
            return await BaselineServer.RunAsync(args[1..]);
        var options = BenchOptions.Parse(args);
        return await Runner.RunAsync(options);
    }
}

sealed record BenchOptions(bool Quick, bool WriteDocs, IReadOnlySet<string>? Only)
{
    public static BenchOptions Parse(string[] args)
    {
        var quick = args.Contains("--quick");
        var write = !args.Contains("--no-write");
        var onlyIndex = Array.IndexOf(args, "--only");
        var only = onlyIndex >= 0 && onlyIndex + 1 < args.Length
            ? args[onlyIndex + 1].Split(',', StringSplitOptions.RemoveEmptyEntries).ToHashSet()
            : null;
        return new BenchOptions(quick, write, only);
    }

    public bool Runs(string scenario) => Only is null || Only.Contains(scenario);
}
