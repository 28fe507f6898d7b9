namespace Pulse.Bench;

/// <summary>
/// <c>dotnet run -c Release --project bench</c>: measures Pulse against baselines started by the same
/// run and rewrites docs/benchmarks.md. <c>--quick</c> shrinks every data set (a smoke run);
/// <c>--only a,b</c> runs some scenarios (opt-in ones such as <c>soak</c> run only when named);
/// <c>--soak-minutes n</c> sets the soak's length; <c>--scale 10m</c> sizes the analytics data; <c>--no-write</c> leaves the docs alone;
/// <c>--provider postgres</c> runs the scenarios that support it on PostgreSQL (one instance, then three) and writes only its own
/// section of the docs, on a throwaway cluster or on <c>--postgres &lt;connection string&gt;</c>.
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
/// <param name="Provider"><c>sqlite</c> (the default) or <c>postgres</c>.</param>
/// <param name="Postgres">A PostgreSQL server (a role that may create databases) instead of a throwaway cluster.</param>
sealed record BenchOptions(bool Quick, bool WriteDocs, IReadOnlySet<string>? Only, double? SoakMinutes = null, int? Scale = null,
    string Provider = "sqlite", string? Postgres = null)
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
        var provider = Value(args, "--provider") ?? "sqlite";
        if (provider is not ("sqlite" or "postgres"))
            throw new ArgumentException($"--provider is sqlite or postgres, not '{provider}'.");
        return new BenchOptions(quick, write, only, soak, scale, provider, Value(args, "--postgres"));
    }

    static string? Value(string[] args, string name)
    {
        var index = Array.IndexOf(args, name);
        return index >= 0 && index + 1 < args.Length ? args[index + 1] : null;
    }

    /// <summary><c>1m</c>, <c>10m</c>, <c>200k</c> or a plain number of responses.</summary>
    static int ParseScale(string text)
    {
        var t = text.Trim().ToLowerInvariant();
        var factor = t.EndsWith('m') ? 1_000_000 : t.EndsWith('k') ? 1_000 : 1;
        var number = factor == 1 ? t : t[..^1];
        return (int)(double.Parse(number, System.Globalization.CultureInfo.InvariantCulture) * factor);
    }

    public bool Runs(Scenario scenario) =>
        (Provider == "sqlite" || scenario.OnPostgres) && (Only is null ? !scenario.OptIn : Only.Contains(scenario.Name));
}
