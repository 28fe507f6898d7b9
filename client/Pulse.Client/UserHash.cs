using System.Security.Cryptography;
using System.Text;

namespace Pulse.Client;

/// <summary>
/// Identity verification: the <c>userHash</c> a page sends with the signed-in user's id, so nobody
/// can answer surveys as someone else. Compute it on your server; the identity secret never goes
/// into a page.
/// </summary>
public static class UserHash
{
    /// <summary>
    /// <c>lowercase hex(HMAC-SHA256(identitySecret, userId))</c> over the UTF-8 bytes of both, exactly
    /// as Pulse checks it.
    /// </summary>
    /// <param name="identitySecret">The workspace's identity secret (<c>Pulse:IdentitySecret</c>).</param>
    /// <param name="userId">Your id of the signed-in user, exactly as sent in <c>user.id</c>.</param>
    /// <returns>64 lowercase hexadecimal characters.</returns>
    /// <exception cref="ArgumentException">The secret is empty.</exception>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    public static string Compute(string identitySecret, string userId)
    {
        ArgumentException.ThrowIfNullOrEmpty(identitySecret);
        ArgumentNullException.ThrowIfNull(userId);
        return Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(identitySecret), Encoding.UTF8.GetBytes(userId)));
    }
}
