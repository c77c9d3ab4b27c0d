// Tests api/token_file.cpp: records as kube-apiserver reads its token file (groups quoted,
// skipped records, errors), the first start's admin token in system:masters, the upgrade of a
// file written before groups, and authentication.
#include <boost/test/unit_test.hpp>

#include <filesystem>
#include <fstream>

#include <unistd.h>

#include "api/token_file.hpp"

using namespace capstan;
using namespace capstan::api;
namespace fs = std::filesystem;

namespace {

struct scratch_dir {
  fs::path path = fs::temp_directory_path() / ("token_file_test." + std::to_string(::getpid()));
  scratch_dir() { fs::create_directories(path); }
  ~scratch_dir() { fs::remove_all(path); }
  void write(const std::string& text) const { std::ofstream(path / "tokens.csv") << text; }
  std::string read() const {
    std::ifstream in(path / "tokens.csv");
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  }
};

}  // namespace

BOOST_AUTO_TEST_CASE(a_record_is_token_user_uid_and_quoted_groups) {
  auto e = std::get<token_entry>(parse_token_line(R"(t0k3n,bob,u-bob,"team-a,developers")"));
  BOOST_TEST(e.token == "t0k3n");
  BOOST_TEST(e.user.name == "bob");
  BOOST_TEST(e.user.uid == "u-bob");
  BOOST_TEST((e.user.groups == std::vector<std::string>{"team-a", "developers"}));
  auto one = std::get<token_entry>(parse_token_line("t,carol,c,ops"));
  BOOST_TEST((one.user.groups == std::vector<std::string>{"ops"}));
  auto none = std::get<token_entry>(parse_token_line("t,dave,d"));
  BOOST_TEST(none.user.groups.empty());
  auto quote = std::get<token_entry>(parse_token_line("t,\"e,\"\"ve\"\"\",e\r"));
  BOOST_TEST(quote.user.name == "e,\"ve\"");
  BOOST_TEST(quote.user.uid == "e");
}

BOOST_AUTO_TEST_CASE(empty_lines_comments_and_empty_tokens_are_skipped_bad_records_refused) {
  for (const char* skipped : {"", "# a comment", ",bob,u-bob"})
    BOOST_TEST(std::holds_alternative<std::monostate>(parse_token_line(skipped)), skipped);
  auto short_record = parse_token_line("t0k3n,bob");
  BOOST_TEST_REQUIRE(std::holds_alternative<std::string>(short_record));
  BOOST_TEST(std::get<std::string>(short_record) ==
             "must have at least 3 columns (token, user name, user uid), found 2");
  BOOST_TEST(std::holds_alternative<std::string>(parse_token_line("t,bob,u,\"team-a")));
}

BOOST_AUTO_TEST_CASE(the_first_start_writes_an_admin_token_in_system_masters) {
  scratch_dir dir;
  auto table = token_table::load_or_create(dir.path.string());
  BOOST_TEST(table.admin_token().size() == 48u);
  BOOST_TEST(dir.read() == table.admin_token() + ",admin,admin,\"system:masters\"\n");
  const auto mode = fs::status(dir.path / "tokens.csv").permissions();
  BOOST_TEST(((mode & (fs::perms::group_all | fs::perms::others_all)) == fs::perms::none));
  auto admin = table.authenticate(table.admin_token());
  BOOST_TEST_REQUIRE(admin.has_value());
  BOOST_TEST((admin->groups == std::vector<std::string>{"system:masters", "system:authenticated"}));
  // A second start reads the same file.
  BOOST_TEST(token_table::load_or_create(dir.path.string()).admin_token() == table.admin_token());
}

BOOST_AUTO_TEST_CASE(a_file_from_before_groups_gives_its_admin_the_masters_group) {
  scratch_dir dir;
  const std::string token(48, 'a');
  dir.write(token + ",admin,admin\n");
  auto table = token_table::load_or_create(dir.path.string());
  BOOST_TEST(dir.read() == token + ",admin,admin,\"system:masters\"\n");
  BOOST_TEST(table.authenticate(token)->groups.front() == "system:masters");
  // Among other lines too; other lines, and an admin line of another shape, are left alone.
  dir.write(token + ",admin,admin\nb0b,bob,u-bob\nshort,admin,admin\n");
  auto theirs = token_table::load_or_create(dir.path.string());
  BOOST_TEST(dir.read() == token + ",admin,admin,\"system:masters\"\nb0b,bob,u-bob\nshort,admin,admin\n");
  BOOST_TEST((theirs.authenticate("b0b")->groups == std::vector<std::string>{"system:authenticated"}));
  BOOST_TEST((theirs.authenticate("short")->groups == std::vector<std::string>{"system:authenticated"}));
}

BOOST_AUTO_TEST_CASE(tokens_authenticate_their_users_and_a_bad_file_is_refused_by_line) {
  scratch_dir dir;
  dir.write("# users\nadm1n,admin,admin,system:masters\nb0b,bob,u-bob,\"team-a,system:authenticated\"\n"
            "b0b,robert,u-rob\n");
  auto table = token_table::load_or_create(dir.path.string());
  BOOST_TEST(table.admin_token() == "adm1n");
  BOOST_TEST(!table.authenticate("nope").has_value());
  BOOST_TEST(!table.authenticate("").has_value());
  BOOST_TEST(!table.authenticate("b0").has_value());
  auto later = table.authenticate("b0b");  // listed twice: the later line's
  BOOST_TEST_REQUIRE(later.has_value());
  BOOST_TEST(later->name == "robert");
  BOOST_TEST((later->groups == std::vector<std::string>{"system:authenticated"}));
  dir.write("ok,admin,admin\nbroken,bob\n");
  BOOST_CHECK_EXCEPTION(token_table::load_or_create(dir.path.string()), std::runtime_error,
                        [](const std::runtime_error& e) {
                          return std::string(e.what()).find("line 2: must have at least 3") !=
                                 std::string::npos;
                        });
}
