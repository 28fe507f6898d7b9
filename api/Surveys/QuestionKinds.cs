namespace Pulse.Api.Surveys;

/// <summary>One category of a kind's scale: the scores from <c>From</c> to <c>To</c> (both included).</summary>
public sealed record ScoreCategory(string Name, int From, int To);

/// <summary>
/// A question kind: its scale and its three categories, lowest first. The categories of every kind
/// are ordered negative, middle, positive, so the aggregates count them in the same three columns
/// (<c>detractors</c>, <c>passives</c>, <c>promoters</c>) whatever the kind.
/// </summary>
public sealed record QuestionKind(string Name, int Min, int Max, IReadOnlyList<ScoreCategory> Categories)
{
    /// <summary>The negative category: the one that opens follow-ups by default and that alerts name.</summary>
    public string Negative => Categories[0].Name;

    public string Middle => Categories[1].Name;

    /// <summary>The positive category: promoters, satisfied, easy.</summary>
    public string Positive => Categories[2].Name;

    public IEnumerable<string> CategoryNames => Categories.Select(c => c.Name);

    public bool InRange(int score) => score >= Min && score <= Max;

    /// <summary>The category of a score of this kind's scale.</summary>
    public string CategoryOf(int score) => Categories.FirstOrDefault(c => score >= c.From && score <= c.To)?.Name
        ?? throw new ArgumentOutOfRangeException(nameof(score), score, $"A {Name} score is {Min} to {Max}.");
}

/// <summary>
/// The question kinds a survey can ask (docs/decisions.md, K1): <c>nps</c> and <c>enps</c> 0–10,
/// <c>csat</c> 1–5, <c>ces</c> 1–7. The category names are a contract with the reasons question
/// and the dashboard. Pure.
/// </summary>
public static class QuestionKinds
{
    public const string NpsName = "nps";
    public const string EnpsName = "enps";
    public const string CsatName = "csat";
    public const string CesName = "ces";

    public static readonly QuestionKind Nps = new(NpsName, 0, 10,
        [new("detractor", 0, 6), new("passive", 7, 8), new("promoter", 9, 10)]);

    public static readonly QuestionKind Enps = Nps with { Name = EnpsName };

    public static readonly QuestionKind Csat = new(CsatName, 1, 5,
        [new("dissatisfied", 1, 2), new("neutral", 3, 3), new("satisfied", 4, 5)]);

    public static readonly QuestionKind Ces = new(CesName, 1, 7,
        [new("difficult", 1, 3), new("neutral", 4, 4), new("easy", 5, 7)]);

    /// <summary>Every kind, in the order the docs and the Setup view list them.</summary>
    public static readonly IReadOnlyList<QuestionKind> All = [Nps, Csat, Ces, Enps];

    public static IReadOnlyList<string> Names { get; } = All.Select(k => k.Name).ToArray();

    /// <summary>The widest scale of all kinds (0–10): a score outside it is wrong whatever the survey.</summary>
    public const int LowestScore = 0;

    public const int HighestScore = 10;

    /// <summary>Every category name of every kind, each once (<c>neutral</c> is CSAT's and CES's).</summary>
    public static IReadOnlyList<string> AllCategories { get; } = All.SelectMany(k => k.CategoryNames).Distinct().ToArray();

    public static QuestionKind? Find(string? name) => All.FirstOrDefault(k => k.Name == name);

    /// <summary>The kind of a stored survey; unknown names (none are written) read as NPS.</summary>
    public static QuestionKind Of(string name) => Find(name) ?? Nps;

    /// <summary>The column a category is counted in: 0 negative, 1 middle, 2 positive; -1 for an unknown name.</summary>
    public static int RankOf(string category) =>
        All.Select(k => k.Categories.ToList().FindIndex(c => c.Name == category)).FirstOrDefault(i => i >= 0, -1);
}
