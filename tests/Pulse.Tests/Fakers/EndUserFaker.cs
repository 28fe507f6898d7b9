using System.Text.Json;
using Bogus;
using Pulse.Api.Eligibility;

namespace Pulse.Tests.Fakers;

/// <summary>
/// Signed-in users of a vendor's product as an eligibility call describes them: an id, an email,
/// a sign-up date well past the default 30-day first-survey delay, and segment traits.
/// </summary>
public sealed class EndUserFaker : Faker<EligibilityUser>
{
    public static readonly string[] Plans = ["free", "starter", "premium", "enterprise"];
    public static readonly string[] Roles = ["admin", "manager", "member", "guest"];

    public EndUserFaker(int seed, DateTimeOffset now)
    {
        UseSeed(seed);
        CustomInstantiator(f =>
        {
            var company = f.Company.CompanyName();
            return new EligibilityUser(
                "u-" + f.Random.AlphaNumeric(16),
                f.Internet.Email(provider: f.Internet.DomainName()),
                now.AddDays(-f.Random.Int(31, 1500)).AddMilliseconds(-f.Random.Int(0, 86_400_000)),
                new Dictionary<string, JsonElement>
                {
                    ["plan"] = JsonSerializer.SerializeToElement(f.PickRandom(Plans)),
                    ["role"] = JsonSerializer.SerializeToElement(f.PickRandom(Roles)),
                    ["csm"] = JsonSerializer.SerializeToElement(f.Name.FirstName()),
                    ["industry"] = JsonSerializer.SerializeToElement(f.Commerce.Department()),
                    ["companySize"] = JsonSerializer.SerializeToElement(f.PickRandom("1-10", "11-50", "51-200", "201-1000", "1000+")),
                    ["accountId"] = JsonSerializer.SerializeToElement("acct-" + f.Random.AlphaNumeric(8)),
                    ["accountName"] = JsonSerializer.SerializeToElement(company),
                    ["arr"] = JsonSerializer.SerializeToElement(f.Random.Int(0, 250_000)),
                    ["beta"] = JsonSerializer.SerializeToElement(f.Random.Bool()),
                });
        });
    }
}
