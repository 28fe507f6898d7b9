using Pulse.Api.Responses;
using Pulse.Api.Surveys;

namespace Pulse.Api.Dashboard;

/// <summary>
/// The demo survey's reasons question, and the reason each seeded answer chose: the theme its
/// comment is about, mapped to the list of its category (answers without a theme chose none).
/// </summary>
public static class DemoReasons
{
    static readonly Reason[] Critical =
    [
        new("price", "Too expensive", new Dictionary<string, string> { ["de"] = "Zu teuer" }),
        new("missing-features", "Missing features", new Dictionary<string, string> { ["de"] = "Fehlende Funktionen" }),
        new("slow", "Slow or unreliable"),
        new("hard-to-use", "Hard to use"),
        new("support", "Support"),
        new("mobile", "Mobile app"),
    ];

    static readonly Reason[] Praise =
    [
        new("easy", "Easy to use"),
        new("saves-time", "Saves us time"),
        new("great-support", "Great support"),
        new("reports", "Useful reports"),
    ];

    public static readonly SurveyReasons Question = new(Multiple: true, Other: true, Critical,
        new Dictionary<string, IReadOnlyList<Reason>> { ["promoter"] = Praise });

    /// <summary>The reasons of a seeded answer about <paramref name="theme"/>, or null for none.</summary>
    public static ChosenReasons? For(string? theme, string category)
    {
        var id = category == NpsCategory.Promoter
            ? theme switch
            {
                "usability" or "onboarding" or "mobile" => "easy",
                "payroll" or "shifts" or "time-off" or "recruiting" => "saves-time",
                "support" => "great-support",
                "reports" => "reports",
                _ => null,
            }
            : theme switch
            {
                "pricing" => "price",
                "features" or "integrations" or "sso" or "permissions" or "reports" => "missing-features",
                DemoComments.ReleaseTheme or "payroll" or "shifts" => "slow",
                "usability" or "onboarding" or "time-off" or "recruiting" => "hard-to-use",
                "support" => "support",
                "mobile" => "mobile",
                _ => null,
            };
        return id is null ? null : new ChosenReasons([id], null);
    }
}
