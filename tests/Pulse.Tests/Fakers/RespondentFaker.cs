using Bogus;

namespace Pulse.Tests.Fakers;

/// <summary>An end user of a vendor's product with the traits Pulse segments by.</summary>
public sealed record Respondent(string UserId, string Email, string Plan, string Role, string AccountId, string AccountName, int Arr)
{
    public string TraitsJson => System.Text.Json.JsonSerializer.Serialize(new Dictionary<string, object>
    {
        ["plan"] = Plan,
        ["role"] = Role,
        ["accountId"] = AccountId,
        ["accountName"] = AccountName,
        ["arr"] = Arr,
    });
}

public static class RespondentFaker
{
    /// <summary>Respondents from a fixed seed: the same people every run.</summary>
    public static Faker<Respondent> Create(int seed) => new Faker<Respondent>()
        .UseSeed(seed)
        .CustomInstantiator(f =>
        {
            var company = f.Company.CompanyName();
            return new Respondent(
                "u-" + f.Random.AlphaNumeric(10),
                f.Internet.Email(provider: "example.test"),
                f.PickRandom("free", "starter", "premium", "enterprise"),
                f.PickRandom("admin", "recruiter", "manager"),
                "acct-" + f.Random.AlphaNumeric(6),
                company,
                f.Random.Int(1, 500) * 1000);
        });
}
