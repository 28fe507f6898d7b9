using Microsoft.AspNetCore.Mvc.RazorPages;
using Pulse.Client;

namespace VendorApp.Pages;

/// <summary>The product's home page for the signed-in user (<c>?as=</c> picks one).</summary>
public sealed class IndexModel(TimeProvider time) : PageModel
{
    public VendorUser SignedIn { get; private set; } = Users.All[0];

    /// <summary>What the page tells Pulse about the user: id, email, sign-up time and traits.</summary>
    public PulseUser PulseUser { get; private set; } = null!;

    public string Nonce => HttpContext.Items[Csp.NonceKey] as string ?? "";

    public void OnGet(string? @as)
    {
        SignedIn = Users.Find(@as);
        PulseUser = SignedIn.ToPulse(time.GetUtcNow());
    }
}
