using System.Globalization;
using System.Text.Json;
using System.Text;
using Bogus;
using Pulse.Api.Responses;

namespace Pulse.Api.Dashboard;

/// <summary>A customer of the demo vendor: one company with its plan, CSM and ARR.</summary>
public sealed record DemoAccount(
    string Id, string Name, string Domain, string Plan, string Industry, string CompanySize, string Csm, long Arr,
    double Mood, bool Troubled);

/// <summary>An end user of the demo product, with the traits the snippet would send.</summary>
public sealed record DemoUser(string Id, string Email, long SignedUpAt, string Locale, string Role, DemoAccount Account)
{
    /// <summary>The trait object as JSON (the same keys the README and the dashboard use).</summary>
    public string TraitsJson() => JsonSerializer.Serialize(new Dictionary<string, object>
    {
        ["plan"] = Account.Plan,
        ["role"] = Role,
        ["csm"] = Account.Csm,
        ["industry"] = Account.Industry,
        ["companySize"] = Account.CompanySize,
        ["accountId"] = Account.Id,
        ["accountName"] = Account.Name,
        ["arr"] = Account.Arr,
    });
}

/// <summary>What happened to one survey shown.</summary>
public enum DemoOutcome
{
    /// <summary>Shown, then neither answered nor dismissed.</summary>
    Ignored,
    Declined,
    Answered,
}

/// <summary>One survey shown to a user and what the user did with it; <c>Theme</c> is what the comment is about.</summary>
public sealed record DemoDisplay(DemoUser User, long ShownAt, string Url, DemoOutcome Outcome, long At, int? Score, string? Comment,
    string? Theme = null);

/// <summary>A year of demo activity, displays in time order.</summary>
public sealed record DemoData(IReadOnlyList<DemoAccount> Accounts, IReadOnlyList<DemoUser> Users, IReadOnlyList<DemoDisplay> Displays)
{
    public int Responses => Displays.Count(d => d.Outcome == DemoOutcome.Answered);
}

/// <summary>
/// Generates the demo workspace's year (pure: same seed, same "now", same data). The numbers are
/// made to tell a story on the dashboard: enterprise and admins are happier than free plans and
/// employees; one CSM's accounts trail the others; a release about five months ago dragged scores
/// down for a few weeks (comments about reports and slowness), and the last quarter recovers; a
/// few large accounts are unhappy, so the ARR × NPS chart has big accounts at risk. Who answers
/// differs too: admins and enterprise customers answer most, employees and free plans least.
/// Comments are composed by <see cref="DemoComments"/>. The year starts on the first day of the
/// dashboard's default range ("Last 12 months") and ends at "now".
/// </summary>
public static class DemoStory
{
    public const string UserPrefix = "seed-";
    const long Day = 24L * 60 * 60 * 1000;

    static readonly (string Name, double Effect)[] Csms = [("Dana Whitfield", 0.35), ("Priya Raman", 0.2), ("Luis Ortega", 0.0), ("Mei Chen", 0.1), ("Tom Becker", -0.9)];
    /// <summary>Industry: effect on the mood, and on the chance of answering a survey shown.</summary>
    static readonly (string Name, double Effect, double Answers)[] Industries =
    [
        ("Software", 0.2, 0.04), ("Retail", -0.25, -0.06), ("Healthcare", 0.1, -0.03), ("Manufacturing", -0.1, -0.02),
        ("Finance", 0.05, 0.02), ("Education", 0.3, 0.06), ("Hospitality", -0.35, -0.08), ("Logistics", -0.05, -0.04),
    ];
    static readonly (string Size, int MinUsers, int MaxUsers, (string Plan, int Weight)[] Plans)[] Sizes =
    [
        ("1-10", 2, 5, [("free", 60), ("starter", 40)]),
        ("11-50", 3, 9, [("free", 25), ("starter", 50), ("premium", 25)]),
        ("51-200", 6, 16, [("starter", 30), ("premium", 55), ("enterprise", 15)]),
        ("201-1000", 10, 28, [("premium", 50), ("enterprise", 50)]),
        ("1000+", 16, 40, [("premium", 20), ("enterprise", 80)]),
    ];
    static readonly int[] SizeWeights = [22, 30, 25, 15, 8];
    static readonly Dictionary<string, double> PlanEffects = new() { ["free"] = -0.9, ["starter"] = -0.2, ["premium"] = 0.2, ["enterprise"] = 0.45 };
    static readonly Dictionary<string, double> PlanAnswers = new() { ["free"] = -0.14, ["starter"] = -0.04, ["premium"] = 0.02, ["enterprise"] = 0.06 };

    /// <summary>Role: effect on the mood, share of users, and the chance of answering a survey shown.</summary>
    static readonly (string Role, double Effect, int Weight, double Answers)[] Roles =
        [("admin", 0.35, 15, 0.74), ("manager", 0.1, 25, 0.64), ("recruiter", 0.0, 20, 0.58), ("employee", -0.45, 40, 0.44)];
    static readonly (string Locale, int Weight)[] Locales = [("en", 70), ("de", 12), ("fr", 8), ("es", 5), ("ja", 5)];
    static readonly string[] Paths = ["/dashboard", "/payroll", "/time-off", "/reports", "/people", "/recruiting/jobs", "/settings"];

    /// <summary>
    /// The first instant of the demo's year: UTC midnight of the day after "now" one year earlier,
    /// the first day of the dashboard's default range "Last 12 months" (app.js, presetRange('12m')),
    /// computed the same way (29 February a year back is 1 March, as JavaScript's Date does it).
    /// </summary>
    public static DateTimeOffset RangeStart(DateTimeOffset now)
    {
        var today = now.UtcDateTime.Date;
        var yearBack = new DateTime(today.Year - 1, today.Month, 1, 0, 0, 0, DateTimeKind.Utc).AddDays(today.Day - 1);
        return new DateTimeOffset(yearBack.AddDays(1));
    }

    /// <summary>A year up to <paramref name="now"/> with exactly <paramref name="responses"/> answers.</summary>
    public static DemoData Generate(int responses, DateTimeOffset now, int seed = 8)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(responses);
        var f = new Faker("en") { Random = new Randomizer(seed) };
        var end = now.ToUnixTimeMilliseconds();
        var start = RangeStart(now).ToUnixTimeMilliseconds();
        var dipCenter = end - 150 * Day;

        var accounts = new List<DemoAccount>();
        var users = new List<DemoUser>();
        var displays = new List<DemoDisplay>();
        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var comments = new HashSet<string>(StringComparer.Ordinal);
        var answered = 0;

        while (answered < responses)
        {
            var account = NewAccount(f, accounts.Count + 1, names);
            accounts.Add(account);
            var size = Sizes.First(s => s.Size == account.CompanySize);
            var count = f.Random.Int(size.MinUsers, size.MaxUsers);
            var accountDisplays = new List<DemoDisplay>();
            for (var i = 0; i < count; i++)
            {
                var user = NewUser(f, users.Count + 1, account, end);
                users.Add(user);
                accountDisplays.AddRange(Timeline(f, user, start, end, dipCenter, comments));
            }
            // The last account gets only the answers still needed; its later answers are left out.
            accountDisplays.Sort((a, b) => a.ShownAt.CompareTo(b.ShownAt));
            foreach (var d in accountDisplays)
            {
                if (d.Outcome == DemoOutcome.Answered)
                {
                    if (answered == responses)
                        continue;
                    answered++;
                }
                displays.Add(d);
            }
        }

        displays.Sort((a, b) => a.ShownAt != b.ShownAt ? a.ShownAt.CompareTo(b.ShownAt) : string.CompareOrdinal(a.User.Id, b.User.Id));
        var used = displays.Select(d => d.User.Id).ToHashSet(StringComparer.Ordinal);
        return new DemoData(accounts, users.Where(u => used.Contains(u.Id)).ToList(), displays);
    }

    static DemoAccount NewAccount(Faker f, int n, HashSet<string> names)
    {
        string name;
        do
            name = f.Company.CompanyName();
        while (!names.Add(name));
        var size = Sizes[Weighted(f, SizeWeights)];
        var plan = size.Plans[Weighted(f, size.Plans.Select(p => p.Weight).ToArray())].Plan;
        var arr = plan switch
        {
            "free" => 0L,
            "starter" => LogUniform(f, 1_200, 6_000, 100),
            "premium" => LogUniform(f, 8_000, 60_000, 500),
            _ => LogUniform(f, 60_000, 650_000, 1_000),
        };
        var industry = f.PickRandom(Industries);
        var csm = plan == "free" ? ("Unassigned", -0.1) : f.PickRandom(Csms);
        // About one paying account in eight is in trouble: a big drag on its mood.
        var troubled = plan is "premium" or "enterprise" && f.Random.Double() < 0.14;
        var mood = PlanEffects[plan] + industry.Effect + csm.Item2 + Gaussian(f) * 0.55 + (troubled ? -2.2 : 0);
        var domain = Slug(name) + ".example";
        return new DemoAccount($"acc_{n:D4}", name, domain, plan, industry.Name, size.Size, csm.Item1, arr, mood, troubled);
    }

    static DemoUser NewUser(Faker f, int n, DemoAccount account, long end)
    {
        var first = f.Name.FirstName();
        var last = f.Name.LastName();
        var role = Roles[Weighted(f, Roles.Select(r => r.Weight).ToArray())].Role;
        var locale = Locales[Weighted(f, Locales.Select(l => l.Weight).ToArray())].Locale;
        // Most users signed up long ago; some joined during the year (they wait 30 days to be asked).
        var daysAgo = f.Random.Double() < 0.7 ? f.Random.Int(400, 1500) : f.Random.Int(35, 400);
        var email = $"{Slug(first)}.{Slug(last)}{n % 97}@{account.Domain}";
        return new DemoUser($"{UserPrefix}u{n:D5}", email, end - daysAgo * Day - f.Random.Long(0, Day), locale, role, account);
    }

    static IEnumerable<DemoDisplay> Timeline(Faker f, DemoUser user, long start, long end, long dipCenter, HashSet<string> comments)
    {
        var role = Roles.First(r => r.Role == user.Role);
        var roleEffect = role.Effect;
        // Who answers differs by segment, as in real products: admins and enterprise customers most.
        var answers = Math.Clamp(role.Answers + PlanAnswers[user.Account.Plan]
            + Industries.First(i => i.Name == user.Account.Industry).Answers, 0.2, 0.85);
        var t = Math.Max(user.SignedUpAt + 30 * Day, start) + f.Random.Long(0, 40 * Day);
        while (t < end)
        {
            var url = "https://app.acme-hr.example" + f.PickRandom(Paths);
            var roll = f.Random.Double();
            if (roll < answers)
            {
                var dip = Math.Exp(-Math.Pow((t - dipCenter) / (18.0 * Day), 2)) * -1.4;
                var recovery = t > end - 90 * Day ? 0.5 * (t - (end - 90 * Day)) / (90.0 * Day) : 0;
                var mu = 8.35 + user.Account.Mood + roleEffect + dip + recovery;
                var score = (int)Math.Clamp(Math.Round(mu + Gaussian(f) * 1.8), 0, 10);
                var at = t + f.Random.Long(4_000, 180_000);
                if (at >= end)
                    yield break;
                var comment = DemoComments.Write(f, user, score, dip < -0.8, comments);
                yield return new DemoDisplay(user, t, url, DemoOutcome.Answered, at, score, comment?.Text, comment?.Theme);
                t += 90 * Day + f.Random.Long(0, 45 * Day);
            }
            else if (roll < answers + (1 - answers) * 0.45)
            {
                var at = t + f.Random.Long(2_000, 30_000);
                if (at >= end)
                    yield break;
                yield return new DemoDisplay(user, t, url, DemoOutcome.Declined, at, null, null);
                t += 30 * Day + f.Random.Long(0, 20 * Day);
            }
            else
            {
                yield return new DemoDisplay(user, t, url, DemoOutcome.Ignored, t, null, null);
                t += Day + f.Random.Long(0, 12 * Day);
            }
        }
    }

    static int Weighted(Faker f, int[] weights)
    {
        var roll = f.Random.Int(1, weights.Sum());
        for (var i = 0; i < weights.Length; i++)
        {
            roll -= weights[i];
            if (roll <= 0)
                return i;
        }
        return weights.Length - 1;
    }

    static long LogUniform(Faker f, double min, double max, long roundTo) =>
        (long)Math.Round(Math.Exp(Math.Log(min) + f.Random.Double() * (Math.Log(max) - Math.Log(min))) / roundTo) * roundTo;

    /// <summary>Standard normal from two uniforms (Box–Muller); Bogus has no Gaussian.</summary>
    static double Gaussian(Faker f) =>
        Math.Sqrt(-2 * Math.Log(1 - f.Random.Double())) * Math.Cos(2 * Math.PI * f.Random.Double());

    static string Slug(string text)
    {
        var sb = new StringBuilder();
        foreach (var ch in text.Normalize(NormalizationForm.FormD))
        {
            if (CharUnicodeInfo.GetUnicodeCategory(ch) == UnicodeCategory.NonSpacingMark)
                continue;
            if (char.IsAsciiLetterOrDigit(ch))
                sb.Append(char.ToLowerInvariant(ch));
            else if (sb.Length > 0 && sb[^1] != '-')
                sb.Append('-');
        }
        return sb.ToString().Trim('-');
    }
}
