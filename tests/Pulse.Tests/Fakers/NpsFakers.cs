using Bogus;

namespace Pulse.Tests.Fakers;

/// <summary>A customer account of the vendor: the traits its users share.</summary>
public sealed record FakeAccount(string AccountId, string AccountName, long Arr, string Plan, string Csm, string Industry, string CompanySize);

/// <summary>An end user of the vendor's product, in an account.</summary>
public sealed record FakeUser(string UserId, string Email, string Role, FakeAccount Account)
{
    /// <summary>The traits the product sends for this user (what eligibility snapshots onto a display).</summary>
    public Dictionary<string, object> Traits() => new()
    {
        ["plan"] = Account.Plan,
        ["role"] = Role,
        ["csm"] = Account.Csm,
        ["industry"] = Account.Industry,
        ["companySize"] = Account.CompanySize,
        ["accountId"] = Account.AccountId,
        ["accountName"] = Account.AccountName,
        ["arr"] = Account.Arr,
    };
}

/// <summary>One survey shown to a user at <c>ShownAt</c>; answered <c>AnswerAfter</c> later with <c>Score</c>, or not.</summary>
public sealed record FakeShowing(FakeUser User, DateTimeOffset ShownAt, int? Score, TimeSpan AnswerAfter, string? Comment, string Locale, string Url);

/// <summary>Realistic B2B SaaS accounts, users and survey showings, each faker with its own fixed seed.</summary>
public static class NpsFakers
{
    public static readonly string[] Plans = ["free", "starter", "premium", "enterprise"];
    public static readonly string[] Roles = ["admin", "recruiter", "hiring-manager", "viewer", "owner"];
    public static readonly string[] Csms = ["Dana", "Eli", "Farah", "Goran", "Hana", "Ivo"];
    public static readonly string[] Industries = ["HR", "Retail", "Healthcare", "Finance", "Manufacturing", "Education", "Logistics"];
    public static readonly string[] CompanySizes = ["1-10", "11-50", "51-200", "201-1000", "1000+"];

    public static Faker<FakeAccount> Accounts(int seed) => new Faker<FakeAccount>()
        .UseSeed(seed)
        .CustomInstantiator(f =>
        {
            var plan = f.PickRandom(Plans);
            var arr = plan switch
            {
                "free" => 0,
                "starter" => f.Random.Int(1, 12) * 1200L,
                "premium" => f.Random.Int(10, 60) * 1000L,
                _ => f.Random.Int(50, 400) * 1000L,
            };
            return new FakeAccount("acc_" + f.Random.AlphaNumeric(8), f.Company.CompanyName(), arr, plan,
                f.PickRandom(Csms), f.PickRandom(Industries), f.PickRandom(CompanySizes));
        });

    public static Faker<FakeUser> Users(int seed, IReadOnlyList<FakeAccount> accounts) => new Faker<FakeUser>()
        .UseSeed(seed)
        .CustomInstantiator(f =>
        {
            var first = f.Name.FirstName();
            var last = f.Name.LastName();
            return new FakeUser("u_" + f.Random.AlphaNumeric(12), f.Internet.Email(first, last).ToLowerInvariant(),
                f.PickRandom(Roles), accounts[f.Random.Int(0, accounts.Count - 1)]);
        });

    /// <summary>
    /// Showings spread uniformly over <c>[from, to)</c> to ms precision, so they land on every kind of
    /// boundary; about 70 % answered within seconds to hours (some across a midnight), scores skewed by plan.
    /// </summary>
    public static Faker<FakeShowing> Showings(int seed, IReadOnlyList<FakeUser> users, DateTimeOffset from, DateTimeOffset to) =>
        new Faker<FakeShowing>()
            .UseSeed(seed)
            .CustomInstantiator(f =>
            {
                var user = users[f.Random.Int(0, users.Count - 1)];
                var shownAt = from.AddMilliseconds(f.Random.Double() * (to - from).TotalMilliseconds);
                shownAt = DateTimeOffset.FromUnixTimeMilliseconds(shownAt.ToUnixTimeMilliseconds());
                int? score = f.Random.Bool(0.7f) ? Score(f, user.Account.Plan) : null;
                var after = TimeSpan.FromSeconds(f.Random.Double() < 0.9 ? f.Random.Int(2, 600) : f.Random.Int(600, 6 * 3600));
                var comment = score is null || f.Random.Bool(0.4f) ? null : f.Lorem.Sentence(f.Random.Int(3, 14));
                return new FakeShowing(user, shownAt, score, after, comment, f.PickRandom("en", "de-AT", "fr", "ar"),
                    "https://app.acme.test/" + f.Internet.UrlRootedPath().TrimStart('/'));
            });

    static int Score(Faker f, string plan) => plan switch
    {
        "enterprise" => f.Random.WeightedRandom([10, 9, 8, 7, 6, 3], [0.3f, 0.3f, 0.15f, 0.1f, 0.1f, 0.05f]),
        "premium" => f.Random.WeightedRandom([10, 9, 8, 7, 5, 2], [0.25f, 0.2f, 0.2f, 0.15f, 0.12f, 0.08f]),
        _ => f.Random.Int(0, 10),
    };
}
