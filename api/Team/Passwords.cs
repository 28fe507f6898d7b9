using System.Collections.Frozen;
using System.Reflection;
using Microsoft.AspNetCore.Identity;

namespace Pulse.Api.Team;

/// <summary>
/// Members' passwords: hashed with ASP.NET Core Identity's <see cref="PasswordHasher{TUser}"/>
/// (PBKDF2-HMAC-SHA512, 100,000 iterations, salted), at least <see cref="MinLength"/> characters,
/// and not one of the common passwords of <c>api/Team/common-passwords.txt</c>.
/// </summary>
public static class Passwords
{
    public const int MinLength = 12;
    public const int MaxLength = 256;

    static readonly PasswordHasher<Member> Hasher = new();

    /// <summary>A hash of a random password: what a sign-in with an unknown email is checked against, so it costs the same.</summary>
    static readonly string Dummy = Hasher.HashPassword(null!, Workspaces.Keys.RandomString(32));

    static readonly FrozenSet<string> Common = Load();

    public static string Hash(string password) => Hasher.HashPassword(null!, password);

    /// <summary>Checks a password against a hash; with no hash (unknown email, no password yet) checks a dummy and answers false.</summary>
    public static bool Verify(string? hash, string password)
    {
        var result = Hasher.VerifyHashedPassword(null!, hash ?? Dummy, password);
        return hash is not null && result != PasswordVerificationResult.Failed;
    }

    /// <summary>Why a new password is refused, or null when it is acceptable.</summary>
    public static string? Problem(string? password, string? email)
    {
        if (string.IsNullOrEmpty(password) || password.Length < MinLength)
            return $"Choose a password of at least {MinLength} characters; a few words you will remember make a good one.";
        if (password.Length > MaxLength)
            return $"Choose a password of at most {MaxLength} characters.";
        var lower = password.ToLowerInvariant();
        var stem = lower.TrimEnd("0123456789!@#$%^&*()-_=+.,?;:'\"[]{} ".ToCharArray());
        if (Common.Contains(lower) || Common.Contains(stem) || lower.Distinct().Count() <= 2)
            return "This password is one of the most common ones, which attackers try first; choose another.";
        if (email is not null && lower.Contains(email.Split('@')[0].ToLowerInvariant(), StringComparison.Ordinal) && email.Split('@')[0].Length >= 4)
            return "The password contains your email name; choose one that does not.";
        return null;
    }

    static FrozenSet<string> Load()
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("Pulse.Team.common-passwords.txt")
            ?? throw new InvalidOperationException("common-passwords.txt is not embedded.");
        using var reader = new StreamReader(stream);
        var words = new HashSet<string>(StringComparer.Ordinal);
        while (reader.ReadLine() is { } line)
            if (line.Length > 0 && !line.StartsWith('#'))
                words.Add(line.Trim());
        return words.ToFrozenSet(StringComparer.Ordinal);
    }
}
