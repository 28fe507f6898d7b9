using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;

namespace VendorApp;

/// <summary>Where Pulse is and the workspace's keys (section <c>Pulse</c>); defaults are the demo workspace's.</summary>
public sealed class PulseSettings
{
    public const string Section = "Pulse";

    public string Url { get; set; } = "http://localhost:5080";

    /// <summary>Public: goes into the page.</summary>
    public string SiteKey { get; set; } = "pk_demo_0000000000000000";

    /// <summary>Server only: never put it in a page.</summary>
    public string SecretKey { get; set; } = "sk_demo_00000000000000000000000000000000";

    /// <summary>Server only: signs user ids.</summary>
    public string IdentitySecret { get; set; } = "ids_demo_0000000000000000000000000000000";
}

/// <summary>The identity verification scheme of Pulse (as Intercom's): sign each user id on the server.</summary>
public static class IdentityVerification
{
    /// <summary><c>lowercase hex(HMAC-SHA256(identitySecret, userId))</c>.</summary>
    public static string UserHash(string identitySecret, string userId) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(identitySecret), Encoding.UTF8.GetBytes(userId)));
}

/// <summary>Pulse's HTTP API as the vendor's server uses it, with the secret key.</summary>
public sealed class PulseClient(HttpClient http, IOptions<PulseSettings> options)
{
    /// <summary>
    /// <c>POST /v1/eligibility</c> with the secret key: the status code and the answer's JSON. Never
    /// throws for Pulse being down: a survey tool must not break the product's own pages.
    /// </summary>
    public async Task<(int Status, string Body)> CheckEligibilityAsync(object user, string? trigger, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        using var request = new HttpRequestMessage(HttpMethod.Post, settings.Url.TrimEnd('/') + "/v1/eligibility")
        {
            Content = new StringContent(JsonSerializer.Serialize(new { user, @event = trigger, locale = "en" }), Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", settings.SecretKey);
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(5));
            using var response = await http.SendAsync(request, timeout.Token);
            var body = await response.Content.ReadAsStringAsync(timeout.Token);
            return ((int)response.StatusCode, Pretty(body));
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            return (0, "Pulse did not answer: " + ex.Message);
        }
    }

    static string Pretty(string json)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            return JsonSerializer.Serialize(document.RootElement, new JsonSerializerOptions { WriteIndented = true });
        }
        catch (JsonException)
        {
            return json;
        }
    }
}

/// <summary>A user of the vendor's product.</summary>
public sealed record VendorUser(string Key, string Id, string Name, string Email, int DaysSinceSignUp, string Plan, string Role, string AccountId, string AccountName, int Arr)
{
    /// <summary>The user as Pulse's <c>user</c> object: id, email, sign-up time and traits for targeting and segments.</summary>
    public object ToPulse(DateTimeOffset now) => new
    {
        id = Id,
        email = Email,
        createdAt = now.AddDays(-DaysSinceSignUp).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture),
        traits = new Dictionary<string, object>
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
