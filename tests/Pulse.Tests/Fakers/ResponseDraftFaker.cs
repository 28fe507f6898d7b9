using Bogus;

namespace Pulse.Tests.Fakers;

/// <summary>What a user would answer: a score and a comment in the tone of that score.</summary>
public sealed record ResponseDraft(int Score, string Comment);

public static class ResponseDraftFaker
{
    public static Faker<ResponseDraft> Create(int seed) => new Faker<ResponseDraft>()
        .UseSeed(seed)
        .CustomInstantiator(f =>
        {
            var score = f.Random.Int(0, 10);
            var comment = score switch
            {
                >= 9 => f.Rant.Review(f.Commerce.ProductName()),
                >= 7 => f.Lorem.Sentence(f.Random.Int(4, 20)),
                _ => f.Hacker.Phrase() + " " + f.Lorem.Paragraph(),
            };
            // Quotes, markup and non-ASCII must round-trip untouched.
            return new ResponseDraft(score, f.Random.Bool(0.2f) ? $"<b>\"{comment}\"</b> — ünïcødé ✓" : comment);
        });
}
