"""Bad mobiles, emails, credit codes and ID numbers are refused with the message the user sees."""

import frappe
import pytest

from tests.integration.support import (
	hard_delete,
	make_customer,
	server_messages,
	unique_suffix,
	valid_id_number,
	valid_uscc,
)

pytestmark = pytest.mark.integration

BAD_VALUES = [
	("mobile_no", "1381234567", "Mobile number 1381234567 is not valid"),
	("mobile_no", "12812345678", "Mobile number 12812345678 is not valid"),
	("email_id", "zhang.san@", "zhang.san@"),
	("email_id", "no-at-sign.example.com", "no-at-sign.example.com"),
	("phone", "12345", "12345"),
]


@pytest.mark.parametrize(("fieldname", "value", "expected"), BAD_VALUES)
def test_customer_with_bad_contact_detail_is_refused_over_rest(api, fieldname, value, expected):
	before = frappe.db.count("CIMS Customer")
	response = api("System Manager").post(
		"/api/resource/CIMS%20Customer",
		{
			"customer_name": f"坏数据{unique_suffix()}有限公司",
			"customer_type": "Enterprise",
			fieldname: value,
		},
	)
	assert response.status_code == 417
	assert expected in server_messages(response)
	frappe.db.rollback()
	assert frappe.db.count("CIMS Customer") == before, "a refused customer must not be saved"


def test_uscc_with_wrong_check_digit_is_refused_with_reason_over_rest(api):
	code = valid_uscc()
	wrong = code[:-1] + ("0" if code[-1] != "0" else "1")
	response = api("System Manager").post(
		"/api/resource/CIMS%20Customer",
		{
			"customer_name": f"校验{unique_suffix()}有限公司",
			"customer_type": "Enterprise",
			"unified_social_credit_code": wrong,
		},
	)
	assert response.status_code == 417
	message = server_messages(response)
	assert "Unified Social Credit Code" in message
	assert "check" in message.lower()


def test_id_number_with_impossible_birth_date_is_refused(site):
	body = "11010119990231123"  # 31 February
	from cims_app.domain.identifiers import id_check_char

	with pytest.raises(frappe.ValidationError, match="ID Number"):
		make_customer(customer_type="Individual", id_number=body + id_check_char(body))


def test_id_number_with_wrong_check_digit_is_refused(site):
	good = valid_id_number()
	wrong = good[:-1] + ("0" if good[-1] != "0" else "1")
	with pytest.raises(frappe.ValidationError, match="ID Number"):
		make_customer(customer_type="Individual", id_number=wrong)


def test_refusal_message_is_translated_for_chinese_users(site):
	frappe.local.lang = "zh"
	frappe.local.lang_full_dict = None
	frappe.local.jenv = None
	try:
		with pytest.raises(frappe.ValidationError) as error:
			make_customer(mobile_no="1381234567")
		assert "手机号" in str(error.value), str(error.value)
	finally:
		frappe.local.lang = "en"
		frappe.local.lang_full_dict = None


def test_second_enterprise_with_same_exact_name_key_is_refused(site):
	suffix = unique_suffix()
	first = make_customer(customer_name=f"上海华信{suffix}科技有限公司")
	with pytest.raises(frappe.DuplicateEntryError):
		make_customer(customer_name=f"上海华信{suffix}科技有限公司".replace("上海", "上海 ").upper())
	other_legal_form = make_customer(customer_name=f"上海华信{suffix}科技股份有限公司")
	assert other_legal_form.name_match_key == first.name_match_key, (
		"different legal forms only flag a possible duplicate"
	)


def test_contact_of_cims_customer_with_bad_mobile_is_refused_but_other_contacts_are_not(site):
	customer = make_customer()
	bad = frappe.get_doc(
		{
			"doctype": "Contact",
			"first_name": f"王五{unique_suffix()}",
			"phone_nos": [{"phone": "138 1234", "is_primary_mobile_no": 1}],
			"links": [{"link_doctype": "CIMS Customer", "link_name": customer.name}],
		}
	)
	with pytest.raises(frappe.ValidationError, match="Mobile number"):
		bad.insert()
	unrelated = frappe.get_doc(
		{
			"doctype": "Contact",
			"first_name": f"Other{unique_suffix()}",
			"phone_nos": [{"phone": "138 1234", "is_primary_mobile_no": 1}],
		}
	).insert()
	assert unrelated.mobile_no == "138 1234"
	hard_delete("Contact", unrelated.name)
