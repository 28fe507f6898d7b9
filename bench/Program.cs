namespace Pulse.Bench;

/// <summary>
/// <c>dotnet run -c Release --project bench</c>: measures Pulse against baselines started by the same
/// run and rewrites docs/benchmarks.md. <c>--quick</c> shrinks every data set (a smoke run);
/// <c>--only a,b</c> runs some scenarios (opt-in ones such as <c>soak</c> run only when named);
/// <c>--soak-minutes n</c> sets the soak's length; <c>--scale 10m</c> sizes the analytics data; <c>--no-write</c> leaves the docs alone.
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

/// <param name="Scale">Responses of the analytics scenario (<c>--scale 1m</c>, <c>10m</c>, <c>200k</c> or a number); null: the default.</param>
sealed record BenchOptions(bool Quick, bool WriteDocs, IReadOnlySet<string>? Only, double? SoakMinutes = null, int? Scale = null)
{
    public static BenchOptions Parse(string[] args)
    {
        var quick = args.Contains("--quick");
        var write = !args.Contains("--no-write");
        var onlyIndex = Array.IndexOf(args, "--only");
        var only = onlyIndex >= 0 && onlyIndex + 1 < args.Length
            ? args[onlyIndex + 1].Split(',', StringSplitOptions.RemoveEmptyEntries).ToHashSet()
            : null;
        var soakIndex = Array.IndexOf(args, "--soak-minutes");
        double? soak = soakIndex >= 0 && soakIndex + 1 < args.Length
            ? double.Parse(args[soakIndex + 1], System.Globalization.CultureInfo.InvariantCulture)
            : null;
        var scaleIndex = Array.IndexOf(args, "--scale");
        int? scale = scaleIndex >= 0 && scaleIndex + 1 < args.Length ? ParseScale(args[scaleIndex + 1]) : null;
        return new BenchOptions(quick, write, only, soak, scale);
    }

    /// <summary><c>1m</c>, <c>10m</c>, <c>200k</c> or a plain number of responses.</summary>
    static int ParseScale(string text)
    {
        var t = text.Trim().ToLowerInvariant();
        var factor = t.EndsWith('m') ? 1_000_000 : t.EndsWith('k') ? 1_000 : 1;
        var number = factor == 1 ? t : t[..^1];
        return (int)(double.Parse(number, System.Globalization.CultureInfo.InvariantCulture) * factor);
    }

    public bool Runs(Scenario scenario) => Only is null ? !scenario.OptIn : Only.Contains(scenario.Name);
}
