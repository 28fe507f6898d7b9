using Pulse.Client;

namespace VendorApp;

/// <summary>A user of the vendor's product.</summary>
public sealed record VendorUser(string Key, string Id, string Name, string Email, int DaysSinceSignUp, string Plan, string Role, string AccountId, string AccountName, int Arr)
{
    /// <summary>The user as Pulse sees them: id, email, sign-up time and traits for targeting and segments.</summary>
    public PulseUser ToPulse(DateTimeOffset now) => new(Id)
    {
        Email = Email,
        CreatedAt = now.AddDays(-DaysSinceSignUp),
        Traits = new Dictionary<string, TraitValue>
        {
            ["plan"] = Plan,
            ["role"] = Role,
            ["accountId"] = AccountId,
            ["accountName"] = AccountName,
            ["arr"] = Arr,
        },
    };
}

/// <summary>The product's pretend user base: pick one with <c>?as=</c>.</summary>
public static class Users
{
    public static readonly IReadOnlyList<VendorUser> All =
    [
        new("ada", "usr_1001", "Ada Lovelace", "ada@acme-customer.test", 400, "enterprise", "admin", "acc_globex", "Globex", 120_000),
        new("grace", "usr_1002", "Grace Hopper", "grace@initech.test", 95, "premium", "recruiter", "acc_initech", "Initech", 24_000),
        new("linus", "usr_1003", "Linus Newcomer", "linus@hooli.test", 3, "free", "member", "acc_hooli", "Hooli", 0),
    ];

    public static VendorUser Find(string? key) => All.FirstOrDefault(u => u.Key == key) ?? All[0];
}
