using System.Globalization;
using System.Text;

namespace Pulse.Bench;

/// <summary>One measured number, with its baseline from the same run and its target.</summary>
sealed record Result(string Scenario, string Metric, double Value, string Unit, double? Baseline = null, string? BaselineName = null,
    string? Target = null, bool? Pass = null, string? Note = null)
{
    public double? Ratio => Baseline is > 0 ? Value / Baseline : null;
}

sealed class Report
{
    readonly List<Result> _results = [];
    readonly List<string> _notes = [];
    readonly Dictionary<string, string> _sections = new(StringComparer.Ordinal);

    public IReadOnlyList<Result> Results => _results;

    /// <summary>Whole sections of the document an opt-in scenario wrote (by name), kept between markers.</summary>
    public IReadOnlyDictionary<string, string> Sections => _sections;

    public void Section(string name, string markdown) => _sections[name] = markdown;

    static string Start(string name) => $"<!-- section:{name} -->";

    static string End(string name) => $"<!-- /section:{name} -->";

    /// <summary><paramref name="existing"/> with each section of this run put in place of its old text (or appended).</summary>
    public string Splice(string existing)
    {
        foreach (var (name, markdown) in _sections)
            existing = Replace(existing, name, Start(name) + "\n" + markdown.TrimEnd() + "\n" + End(name));
        return existing;
    }

    /// <summary>A full rewrite keeps the sections of earlier opt-in runs that this run did not produce.</summary>
    public static string KeepSections(string written, string existing)
    {
        var marker = new System.Text.RegularExpressions.Regex("<!-- section:([a-z]+) -->");
        foreach (System.Text.RegularExpressions.Match m in marker.Matches(existing))
        {
            var name = m.Groups[1].Value;
            var end = existing.IndexOf(End(name), m.Index, StringComparison.Ordinal);
            if (end > 0 && !written.Contains(Start(name), StringComparison.Ordinal))
                written = written.TrimEnd() + "\n\n" + existing[m.Index..(end + End(name).Length)] + "\n";
        }
        return written;
    }

    static string Replace(string text, string name, string block)
    {
        var start = text.IndexOf(Start(name), StringComparison.Ordinal);
        var end = start < 0 ? -1 : text.IndexOf(End(name), start, StringComparison.Ordinal);
        return start >= 0 && end > start
            ? text[..start] + block + text[(end + End(name).Length)..]
            : text.TrimEnd() + "\n\n" + block + "\n";
    }

    public void Add(Result result)
    {
        _results.Add(result);
        Console.WriteLine(Line(result));
    }

    public void Note(string text) => _notes.Add(text);

    public static string Format(double v) => F(v);

    static string F(double v) => v switch
    {
        >= 1000 => v.ToString("N0", CultureInfo.InvariantCulture),
        >= 100 => v.ToString("F0", CultureInfo.InvariantCulture),
        >= 10 => v.ToString("F1", CultureInfo.InvariantCulture),
        _ => v.ToString("F2", CultureInfo.InvariantCulture),
    };

    static string Verdict(Result r) => r.Pass switch { true => "PASS", false => "FAIL", null => "" };

    static string Line(Result r) =>
        $"{r.Scenario,-12} {r.Metric,-44} {F(r.Value),12} {r.Unit,-8} " +
        (r.Baseline is null ? "" : $"baseline {F(r.Baseline.Value)} ({r.BaselineName}) ratio {r.Ratio:F2} ") +
        (r.Target is null ? "" : $"target {r.Target} {Verdict(r)}");

    void TableAndNotes(StringBuilder md, string heading)
    {
        md.AppendLine("| scenario | metric | value | baseline | ratio | target | verdict |");
        md.AppendLine("|---|---|---:|---:|---:|---|---|");
        foreach (var r in _results)
        {
            var baseline = r.Baseline is null ? "" : $"{F(r.Baseline.Value)} {r.Unit} ({r.BaselineName})";
            var ratio = r.Ratio is null ? "" : $"{r.Ratio:F2}×";
            md.AppendLine($"| {r.Scenario} | {r.Metric}{(r.Note is null ? "" : $" ({r.Note})")} | {F(r.Value)} {r.Unit} | {baseline} | {ratio} | {r.Target} | {Verdict(r)} |");
        }
        if (_notes.Count > 0)
        {
            md.AppendLine();
            md.AppendLine($"{heading} How each number was measured");
            md.AppendLine();
            foreach (var note in _notes)
                md.AppendLine("- " + note);
        }
    }

    /// <summary>The section of a <c>--provider postgres</c> run: its command, machine, load and table.</summary>
    public string PostgresMarkdown(Machine machine, BenchOptions options, DateTimeOffset started, TimeSpan took, string loadBefore, string loadAfter)
    {
        var md = new StringBuilder();
        md.AppendLine("## On PostgreSQL");
        md.AppendLine();
        md.AppendLine("Written by the benchmark runner (this section only; the SQLite run above keeps it). Re-run with:");
        md.AppendLine();
        md.AppendLine("```sh");
        md.AppendLine($"dotnet run -c Release --project bench -- --provider postgres{(options.Quick ? " --quick" : "")}");
        md.AppendLine("```");
        md.AppendLine();
        if (options.Quick)
        {
            md.AppendLine("**A quick run** (small data sets, 3 s measurements): a smoke test of the setup, not a measurement to");
            md.AppendLine("plan capacity on. Run it without `--quick` for the full data sets.");
            md.AppendLine();
        }
        md.AppendLine($"- Date: {started:yyyy-MM-dd HH:mm} UTC (run took {took.TotalMinutes:F1} min)");
        md.AppendLine($"- Machine: {machine.Cores} cores ({machine.Cpu}), {machine.Memory} memory, {machine.Os}; shared with other work:");
        md.AppendLine($"  load average (1, 5, 15 min) {loadBefore} at the start, {loadAfter} at the end");
        md.AppendLine($"- PostgreSQL: {(options.Postgres is null ? "a throwaway cluster on loopback started by the run (fsync and synchronous_commit on)" : "the server named by --postgres")}, " +
            "on the same cores as Pulse, wrk and the baselines");
        md.AppendLine();
        TableAndNotes(md, "###");
        return md.ToString();
    }

    public string Markdown(Machine machine, string command, DateTimeOffset started, TimeSpan took, IEnumerable<string> analysis)
    {
        var md = new StringBuilder();
        md.AppendLine("# Benchmarks");
        md.AppendLine();
        md.AppendLine("Written by the benchmark runner; do not edit the tables by hand. Re-run with:");
        md.AppendLine();
        md.AppendLine("```sh");
        md.AppendLine(command);
        md.AppendLine("```");
        md.AppendLine();
        md.AppendLine($"- Date: {started:yyyy-MM-dd HH:mm} UTC (run took {took.TotalMinutes:F1} min)");
        md.AppendLine($"- Machine: {machine.Cores} cores ({machine.Cpu}), {machine.Memory} memory, {machine.Os}");
        md.AppendLine($"- Runtime: {machine.Runtime}, Release build; the API and every baseline run as separate processes on loopback");
        md.AppendLine();
        md.AppendLine("Every ratio compares against a baseline measured in the same run on the same machine, so the");
        md.AppendLine("ratios travel between machines better than the absolute numbers do. PASS/FAIL is against the");
        md.AppendLine("targets of the benchmark issue; benchmarks never fail the test suite.");
        md.AppendLine();
        TableAndNotes(md, "##");
        foreach (var (name, markdown) in _sections)
        {
            md.AppendLine();
            md.AppendLine(Start(name));
            md.AppendLine(markdown.TrimEnd());
            md.AppendLine(End(name));
        }
        var extra = analysis.ToList();
        if (extra.Count > 0)
        {
            md.AppendLine();
            foreach (var line in extra)
                md.AppendLine(line);
        }
        return md.ToString();
    }
}
