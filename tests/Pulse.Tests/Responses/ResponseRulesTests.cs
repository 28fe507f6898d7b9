using Pulse.Api.Responses;

namespace Pulse.Tests.Responses;

public sealed class ResponseRulesTests
{
    static ResponsePost Post(int? score = 9, string? comment = null, Dictionary<string, string>? followUp = null, string? token = "dt_x") =>
        new(token, score, comment, followUp, null);

    [Test]
    public void NpsCategory_CoversEveryScoreWithTheStandardBands()
    {
        var categories = Enumerable.Range(0, 11).Select(NpsCategory.Of).ToList();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(categories.Take(7), Is.All.EqualTo("detractor"));
            Assert.That(categories.Skip(7).Take(2), Is.All.EqualTo("passive"));
            Assert.That(categories.Skip(9), Is.All.EqualTo("promoter"));
            Assert.That(() => NpsCategory.Of(11), Throws.TypeOf<ArgumentOutOfRangeException>());
            Assert.That(() => NpsCategory.Of(-1), Throws.TypeOf<ArgumentOutOfRangeException>());
        }
    }

    [Test]
    public void Validate_TheLargestValidResponse_HasNoErrors()
    {
        var followUp = Enumerable.Range(0, ResponseRules.MaxFollowUpAnswers)
            .ToDictionary(i => new string('k', ResponseRules.MaxFollowUpKeyLength - 2) + i.ToString("D2", System.Globalization.CultureInfo.InvariantCulture),
                _ => new string('a', ResponseRules.MaxFollowUpAnswerLength));
        var errors = ResponseRules.Validate(Post(10, new string('c', ResponseRules.MaxCommentLength), followUp));
        Assert.That(errors, Is.Empty);
    }

    [Test]
    public void Validate_TheLargestValidResponseFullyEscaped_FitsTheBodyLimit()
    {
        // Every character as a six-byte \uXXXX escape, plus keys, quotes and punctuation.
        var worst = 6L * (ResponseRules.MaxCommentLength + ResponseRules.MaxFollowUpAnswers * ResponseRules.MaxFollowUpAnswerLength)
            + ResponseRules.MaxFollowUpAnswers * (ResponseRules.MaxFollowUpKeyLength + 6) + 1_000;
        Assert.That(worst, Is.LessThanOrEqualTo(ResponseRules.BodyLimitBytes));
    }

    [TestCase(null, "score")]
    [TestCase(-1, "score")]
    [TestCase(11, "score")]
    public void Validate_BadScore_NamesScore(int? score, string field) =>
        Assert.That(ResponseRules.Validate(Post(score)).Keys, Is.EqualTo(new[] { field }));

    [TestCase("line one\nline two\ttabbed\r\n", true)]
    [TestCase("bell \u0007", false)]
    [TestCase("nul \0", false)]
    [TestCase("<script>alert('x')</script>; DROP TABLE responses;", true)]
    public void Validate_Comment_AllowsTextAndLineBreaksButNotControlCharacters(string comment, bool valid) =>
        Assert.That(ResponseRules.Validate(Post(comment: comment)).ContainsKey("comment"), Is.EqualTo(!valid));

    [TestCase("reason", true)]
    [TestCase("q1.feature_x-2", true)]
    [TestCase("has space", false)]
    [TestCase("", false)]
    [TestCase("ключ", false)]
    public void Validate_FollowUpKeys_AreShortIdentifiers(string key, bool valid) =>
        Assert.That(ResponseRules.Validate(Post(followUp: new() { [key] = "answer" })).Count == 0, Is.EqualTo(valid));

    [TestCase("", null)]
    [TestCase("   \n ", null)]
    [TestCase(" kept as sent ", " kept as sent ")]
    public void NormalizeComment_BlankIsNone_OtherwiseVerbatim(string comment, string? stored) =>
        Assert.That(ResponseRules.NormalizeComment(comment), Is.EqualTo(stored));
}
